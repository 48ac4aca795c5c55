package gwapi

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// TakenError is a rule whose match another HTTPRoute of the same Gateway,
// listener and host already has. Gateway API sends such requests to the
// oldest route (creation time, then namespace/name): when the other one is
// older, the new rule would never be reached; when the tool's route is
// older (it exists and gains the rule), it would take the requests from
// the other route.
type TakenError struct {
	Match   route.Match
	Host    string
	Gateway route.ObjectRef
	Other   string // namespace/name of the other HTTPRoute
	// Takes is true when the tool's route is the older one.
	Takes bool
}

func (e *TakenError) Error() string {
	if e.Takes {
		return fmt.Sprintf("%s on host %q of Gateway %s is routed by HTTPRoute %s, and the older route kubectl-expose-gw would write it into would take its requests (Gateway API gives identical matches to the oldest route): add --force to write it anyway", e.Match, e.Host, e.Gateway, e.Other)
	}
	return fmt.Sprintf("%s on host %q of Gateway %s is already routed by the older HTTPRoute %s (Gateway API gives identical matches to the oldest route): add --force to write it anyway", e.Match, e.Host, e.Gateway, e.Other)
}

// checkConflicts refuses a rule that r (as planned; old is the route as
// it is, nil when created) gains or changes when another route of routes
// (the routes as the plan leaves them) competes for it (competes); with
// force it is a warning.
func checkConflicts(r, old *gwv1.HTTPRoute, g *gwv1.Gateway, routes []*gwv1.HTTPRoute, force bool) ([]string, error) {
	var warnings []string
	gw := refOf(g)
	host := HostOf(r)
	for _, rule := range r.Spec.Rules {
		m, ok := MatchOf(rule)
		if !ok || old != nil && slices.ContainsFunc(old.Spec.Rules, func(x gwv1.HTTPRouteRule) bool {
			return sameSpec(gwv1.HTTPRouteSpec{Rules: []gwv1.HTTPRouteRule{x}}, gwv1.HTTPRouteSpec{Rules: []gwv1.HTTPRouteRule{rule}})
		}) {
			continue // not read, or as it was: not this command's doing
		}
		for _, o := range routes {
			if o.Namespace == r.Namespace && o.Name == r.Name || !competes(r, o, g, gw, m, host) {
				continue
			}
			err := &TakenError{Match: m, Host: host, Gateway: gw, Other: o.Namespace + "/" + o.Name, Takes: older(r, o)}
			if !force {
				return nil, err
			}
			if err.Takes {
				warnings = append(warnings, fmt.Sprintf("%s on host %q of Gateway %s is taken from HTTPRoute %s, which is newer", m, host, gw, err.Other))
			} else {
				warnings = append(warnings, fmt.Sprintf("%s on host %q of Gateway %s stays with the older HTTPRoute %s: the new rule is not reached until that one goes", m, host, gw, err.Other))
			}
		}
	}
	return warnings, nil
}

// competes is whether route b has match m on a virtual host where route a
// serves host (a hostname of a, "*" for none) on Gateway ref (g, nil when
// not known here): both attach to listeners Istio serves together
// (serverKey), and the host requests reach a with through its listener is
// one b is reached with through its own — the same virtual host and match,
// which the Gateway API gives to the older of the two. For a Gateway not
// known, the parentRefs and hostnames are compared as they are.
func competes(a, b *gwv1.HTTPRoute, g *gwv1.Gateway, ref route.ObjectRef, m route.Match, host string) bool {
	if !hasMatch(b, m) {
		return false
	}
	if g == nil {
		return sharesParentRefs(a, b, ref) && hasHost(b, host)
	}
	lbs := listenersOf(b, g)
	for _, la := range listenersOf(a, g) {
		ha, ok := hostThrough(host, la.Hostname)
		if !ok {
			continue
		}
		for _, lb := range lbs {
			if serverKey(la) == serverKey(lb) && slices.Contains(routeHosts(b, lb.Hostname), ha) {
				return true
			}
		}
	}
	return false
}

// ShadowedBy is the older route of routes that keeps match m of r for
// host on one of gws (gateway finds each, nil when not known), "" when none
// does.
func ShadowedBy(r *gwv1.HTTPRoute, m route.Match, host string, gws []route.ObjectRef, gateway func(route.ObjectRef) *gwv1.Gateway, routes []*gwv1.HTTPRoute) string {
	for _, o := range routes {
		if o == r || !older(o, r) {
			continue
		}
		for _, ref := range gws {
			if competes(r, o, gateway(ref), ref, m, host) {
				return o.Namespace + "/" + o.Name
			}
		}
	}
	return ""
}

// ParentGateway is the Gateway a parentRef of a route in routeNS names,
// ok false when it names another kind.
func ParentGateway(p gwv1.ParentReference, routeNS string) (route.ObjectRef, bool) {
	if ptr.Deref(p.Group, gwv1.GroupName) != gwv1.GroupName || ptr.Deref(p.Kind, "Gateway") != "Gateway" {
		return route.ObjectRef{}, false
	}
	return route.ObjectRef{Namespace: string(ptr.Deref(p.Namespace, gwv1.Namespace(routeNS))), Name: string(p.Name)}, true
}

// hasHost is whether r is a route for host ("*": a route without
// hostnames): the same virtual host. A route for a name and one for every
// name are not: requests for the name go to the route that names it.
func hasHost(r *gwv1.HTTPRoute, host string) bool {
	if host == "*" {
		return len(r.Spec.Hostnames) == 0
	}
	for _, h := range r.Spec.Hostnames {
		if strings.EqualFold(string(h), host) {
			return true
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
func hasMatch(r *gwv1.HTTPRoute, m route.Match) bool {
	for _, rule := range r.Spec.Rules {
		if len(rule.Matches) == 0 && m == (route.Match{Kind: route.Prefix, Path: "/"}) {
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
