package gwapi

import (
	"fmt"
	"strings"

	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
)

// TakenError is a rule whose match an older HTTPRoute of the same Gateway
// and host already has: Gateway API sends such requests to the oldest
// route (creation time, then namespace/name), so the new rule would never
// be reached.
type TakenError struct {
	Match   model.Match
	Host    string
	Gateway model.ObjectRef
	Older   string // namespace/name of the HTTPRoute that keeps the requests
}

func (e *TakenError) Error() string {
	return fmt.Sprintf("%s on host %q of Gateway %s is already routed by the older HTTPRoute %s (Gateway API gives identical matches to the oldest route): add --force to write it anyway", e.Match, e.Host, e.Gateway, e.Older)
}

// checkConflicts refuses a rule of r that an older route attached to the
// same Gateway, listener and host matches identically; with force it is a
// warning.
func checkConflicts(r *gwv1.HTTPRoute, gw model.ObjectRef, st State, force bool) ([]string, error) {
	var warnings []string
	for _, o := range st.Routes {
		if o.Namespace == r.Namespace && o.Name == r.Name || !sharesListener(r, o, gw) || !sameHost(r, o) || !older(o, r) {
			continue
		}
		for _, rule := range r.Spec.Rules {
			m, ok := MatchOf(rule)
			if !ok || !hasMatch(o, m) {
				continue
			}
			err := &TakenError{Match: m, Host: HostOf(r), Gateway: gw, Older: o.Namespace + "/" + o.Name}
			if !force {
				return nil, err
			}
			warnings = append(warnings, fmt.Sprintf("%s on host %q of Gateway %s stays with the older HTTPRoute %s: the new rule is not reached until that one goes", m, HostOf(r), gw, err.Older))
		}
	}
	return warnings, nil
}

// ParentGateway is the Gateway a parentRef of a route in routeNS names,
// ok false when it names another kind.
func ParentGateway(p gwv1.ParentReference, routeNS string) (model.ObjectRef, bool) {
	if ptr.Deref(p.Group, gwv1.GroupName) != gwv1.GroupName || ptr.Deref(p.Kind, "Gateway") != "Gateway" {
		return model.ObjectRef{}, false
	}
	return model.ObjectRef{Namespace: string(ptr.Deref(p.Namespace, gwv1.Namespace(routeNS))), Name: string(p.Name)}, true
}

// sections are the listeners of gw route r attaches to; all is true when
// a parentRef names no section (every listener).
func sectionsOf(r *gwv1.HTTPRoute, gw model.ObjectRef) (names map[gwv1.SectionName]bool, all bool) {
	names = map[gwv1.SectionName]bool{}
	for _, p := range r.Spec.ParentRefs {
		if ref, ok := ParentGateway(p, r.Namespace); ok && ref == gw {
			if p.SectionName == nil {
				all = true
			} else {
				names[*p.SectionName] = true
			}
		}
	}
	return names, all
}

func sharesListener(a, b *gwv1.HTTPRoute, gw model.ObjectRef) bool {
	an, aall := sectionsOf(a, gw)
	bn, ball := sectionsOf(b, gw)
	if (len(an) == 0 && !aall) || (len(bn) == 0 && !ball) {
		return false
	}
	if aall || ball {
		return true
	}
	for s := range an {
		if bn[s] {
			return true
		}
	}
	return false
}

// sameHost is whether both routes have a hostname in common, or neither
// has any: the same virtual host. A route for a name and one for every
// name are not: requests for the name go to the route that names it.
func sameHost(a, b *gwv1.HTTPRoute) bool {
	if len(a.Spec.Hostnames) == 0 || len(b.Spec.Hostnames) == 0 {
		return len(a.Spec.Hostnames) == 0 && len(b.Spec.Hostnames) == 0
	}
	for _, x := range a.Spec.Hostnames {
		for _, y := range b.Spec.Hostnames {
			if strings.EqualFold(string(x), string(y)) {
				return true
			}
		}
	}
	return false
}

// older is whether a precedes b in Gateway API's order: creation time,
// then namespace/name. A route not created yet is the newest.
func older(a, b *gwv1.HTTPRoute) bool {
	at, bt := a.CreationTimestamp, b.CreationTimestamp
	switch {
	case bt.IsZero():
		return true
	case at.IsZero():
		return false
	case !at.Equal(&bt):
		return at.Before(&bt)
	}
	return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
}

// hasMatch is whether a rule of r matches exactly m and nothing more.
func hasMatch(r *gwv1.HTTPRoute, m model.Match) bool {
	for _, rule := range r.Spec.Rules {
		if len(rule.Matches) == 0 && m == (model.Match{Kind: model.Prefix, Path: "/"}) {
			return true
		}
		for _, rm := range rule.Matches {
			if x, ok := matchOf(rm); ok && x == m {
				return true
			}
		}
	}
	return false
}
