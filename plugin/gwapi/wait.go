package gwapi

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// RefusedError is an HTTPRoute Istio did not accept, or whose references
// it could not resolve, as its status.parents says.
type RefusedError struct {
	Route   string // namespace/name
	Service string
	Verdict Verdict
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("Istio refused HTTPRoute %s on Gateway %s: %s (the objects are written: fix the cause, or remove them with kubectl expose-gw delete %s)",
		e.Route, e.Verdict.Gateway, e.Verdict, e.Service)
}

// waitAccepted reads the status.parents of the HTTPRoutes written until
// Istio has reported on each (Accepted, ResolvedRefs) or d has passed (0:
// do not wait). A refusal is an error; no report in time, a warning.
func waitAccepted(ctx context.Context, c *kube.Clients, result []route.Change, d time.Duration, errOut io.Writer) error {
	var routes []*gwv1.HTTPRoute
	for _, ch := range result {
		if r, ok := ch.Object.(*gwv1.HTTPRoute); ok && ch.Op != route.OpDelete {
			routes = append(routes, r)
		}
	}
	if d <= 0 || len(routes) == 0 {
		return nil
	}
	var refused *RefusedError
	pending := map[string]bool{}
	// The reads use ctx, not the poll's: one cut short by the deadline
	// is the timeout, not an error.
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, d, true, func(context.Context) (bool, error) {
		clear(pending)
		for _, r := range routes {
			cur, err := c.Gateway.HTTPRoutes(r.Namespace).Get(ctx, r.Name, metav1.GetOptions{})
			if err != nil {
				return false, kube.ExplainAPIError(err, "get", HTTPRoutesResource)
			}
			for _, v := range Verdicts(cur) {
				switch {
				case v.Refused != nil:
					refused = &RefusedError{Route: r.Namespace + "/" + r.Name, Service: cur.Labels[ServiceLabel], Verdict: v}
					return true, nil
				case !v.Known:
					pending[r.Namespace+"/"+r.Name] = true
				}
			}
		}
		return len(pending) == 0, nil
	})
	switch {
	case refused != nil:
		return refused
	case wait.Interrupted(err):
		names := slices.Sorted(maps.Keys(pending))
		cli.Warnf(errOut, "Istio has not reported on HTTPRoute %s within --wait %s (status.parents): is istiod running? (kubectl get httproute -n %s -o yaml)",
			strings.Join(names, ", "), d, routes[0].Namespace)
		return nil
	}
	return err
}
