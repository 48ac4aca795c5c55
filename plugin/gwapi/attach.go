package gwapi

import (
	"fmt"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Which listeners of a Gateway an HTTPRoute attaches to, and with which
// host requests reach it there, as the Gateway API attaches routes and
// Istio serves them: what decides whether two routes compete.

// listenersOf are the listeners of g that take route r: a parentRef naming
// g picks listeners by its sectionName and its port (Gateway API: when both
// are given a listener must have both; neither is every listener), and the
// listener may take the route (mayTake).
func listenersOf(r *gwv1.HTTPRoute, g *gwv1.Gateway) []gwv1.Listener {
	var out []gwv1.Listener
	for _, l := range g.Spec.Listeners {
		if !mayTake(l, g.Namespace, r.Namespace) {
			continue
		}
		for _, p := range r.Spec.ParentRefs {
			if ref, ok := ParentGateway(p, r.Namespace); ok && ref == refOf(g) && picks(p, l) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// picks is whether parentRef p selects listener l.
func picks(p gwv1.ParentReference, l gwv1.Listener) bool {
	return (p.SectionName == nil || *p.SectionName == l.Name) && (p.Port == nil || *p.Port == l.Port)
}

// mayTake is Admits for a route of any namespace and host, over HTTP or
// HTTPS: a namespace selector, whose labels are not read here, counts as
// allowing (a competitor is not overlooked); hosts are compared by
// competes.
func mayTake(l gwv1.Listener, gwNS, routeNS string) bool {
	if l.Protocol != gwv1.HTTPProtocolType && l.Protocol != gwv1.HTTPSProtocolType {
		return false
	}
	ar := l.AllowedRoutes
	return kindAllowed(ar) && (selects(ar) || namespaceAllowed(ar, gwNS, routeNS, nil))
}

// serverKey is what Istio serves a listener with: every HTTP listener of a
// port shares one route configuration (virtual hosts merged by name across
// them), an HTTPS listener has its own (a filter chain by SNI).
func serverKey(l gwv1.Listener) string {
	if l.Protocol == gwv1.HTTPProtocolType {
		return fmt.Sprintf("http:%d", l.Port)
	}
	return "https:" + string(l.Name)
}

// hostThrough is the host requests through listener hostname lh reach a
// route hostname h with ("*": a route without hostnames): the narrower of
// the two; ok is false when they do not intersect.
func hostThrough(h string, lh *gwv1.Hostname) (string, bool) {
	lhs := "*"
	if lh != nil && *lh != "" {
		lhs = strings.ToLower(string(*lh))
	}
	if h == "*" {
		return lhs, true
	}
	hs := strings.ToLower(h)
	if !HostnamesIntersect(lh, hs) {
		return "", false
	}
	if lhs != "*" && wildcardCovers(hs, lhs) {
		hs = lhs // a wildcard route on a specific listener: the listener's name
	}
	return hs, true
}

// sharesParentRefs is, for a Gateway ref whose listeners are not known
// here, whether parentRefs of a and b to it may pick a listener in common:
// one picks every listener or both name the same, and their ports (when
// both give one) are the same.
func sharesParentRefs(a, b *gwv1.HTTPRoute, ref route.ObjectRef) bool {
	for _, pa := range a.Spec.ParentRefs {
		for _, pb := range b.Spec.ParentRefs {
			ra, oka := ParentGateway(pa, a.Namespace)
			rb, okb := ParentGateway(pb, b.Namespace)
			if !oka || !okb || ra != ref || rb != ref {
				continue
			}
			sameSection := pa.SectionName == nil || pb.SectionName == nil || *pa.SectionName == *pb.SectionName
			samePort := pa.Port == nil || pb.Port == nil || *pa.Port == *pb.Port
			if sameSection && samePort {
				return true
			}
		}
	}
	return false
}
