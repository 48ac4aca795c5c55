package gwapi

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Verdict is what the controller said of a route on one parent Gateway,
// read from HTTPRoute status.parents.
type Verdict struct {
	Gateway route.ObjectRef
	// Known is false while the controller has not reported on the
	// route's current generation.
	Known bool
	// Refused is the first condition that is False (Accepted, then
	// ResolvedRefs), empty when the route is accepted with its refs.
	Refused *metav1.Condition
}

// String is "accepted", "pending" or "CONDITION=False REASON: MESSAGE".
func (v Verdict) String() string {
	switch {
	case !v.Known:
		return "pending"
	case v.Refused == nil:
		return "accepted"
	}
	return fmt.Sprintf("%s=False %s: %s", v.Refused.Type, v.Refused.Reason, v.Refused.Message)
}

// Verdicts reads r's status for each parent Gateway it names, in order.
// A parent's report counts when its conditions are of r's generation.
func Verdicts(r *gwv1.HTTPRoute) []Verdict {
	var out []Verdict
	seen := map[route.ObjectRef]bool{}
	for _, p := range r.Spec.ParentRefs {
		ref, ok := ParentGateway(p, r.Namespace)
		if !ok || seen[ref] {
			continue
		}
		seen[ref] = true
		v := Verdict{Gateway: ref}
		for _, ps := range r.Status.Parents {
			pref, ok := ParentGateway(ps.ParentRef, r.Namespace)
			if !ok || pref != ref || string(ps.ControllerName) != ControllerName {
				continue
			}
			acc := meta.FindStatusCondition(ps.Conditions, string(gwv1.RouteConditionAccepted))
			if acc == nil || acc.ObservedGeneration != r.Generation {
				continue
			}
			v.Known = true
			if acc.Status == metav1.ConditionFalse {
				v.Refused = acc
			} else if rr := meta.FindStatusCondition(ps.Conditions, string(gwv1.RouteConditionResolvedRefs)); rr != nil && rr.Status == metav1.ConditionFalse {
				v.Refused = rr
			}
			if v.Refused != nil {
				break
			}
		}
		out = append(out, v)
	}
	return out
}
