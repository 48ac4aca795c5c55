package istio

import (
	"strings"

	apinet "istio.io/api/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// uriMatches are the match requests the tool writes for m (see MatchOf).
func uriMatches(m route.Match) []*apinet.HTTPMatchRequest {
	uri := func(sm *apinet.StringMatch) *apinet.HTTPMatchRequest { return &apinet.HTTPMatchRequest{Uri: sm} }
	exact := func(p string) *apinet.HTTPMatchRequest {
		return uri(&apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: p}})
	}
	prefix := func(p string) *apinet.HTTPMatchRequest {
		return uri(&apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: p}})
	}
	switch p := trimSlash(m.Path); {
	case m.Kind == route.Exact:
		return []*apinet.HTTPMatchRequest{exact(m.Path)}
	case m.Kind == route.StringPrefix:
		return []*apinet.HTTPMatchRequest{prefix(m.Path)}
	case p == "/":
		return []*apinet.HTTPMatchRequest{prefix(p)}
	default:
		return []*apinet.HTTPMatchRequest{exact(p), prefix(p + "/")}
	}
}

// BuildRoute is the route sending m to t, named after the service: a path
// prefix is written as its two matches (see MatchOf) and its rewrite as a
// regex (see buildRewrite).
func BuildRoute(t route.RouteTarget, m route.Match) *apinet.HTTPRoute {
	return &apinet.HTTPRoute{
		Name:  t.Service,
		Match: uriMatches(m),
		Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{
			Host: t.FQDN(), Port: &apinet.PortSelector{Number: uint32(t.Port)}}}},
		Rewrite: buildRewrite(m, t.Rewrite),
	}
}

// SameTarget is true when r already sends to what want sends to: same
// name, single destination, port and path rewrite, written in the same
// form (a rewrite the tool wrote otherwise before is not the same).
func SameTarget(r, want *apinet.HTTPRoute) bool {
	return r.GetName() == want.GetName() && len(r.GetRoute()) == 1 && len(want.GetRoute()) == 1 &&
		r.Route[0].GetDestination().GetHost() == want.Route[0].GetDestination().GetHost() &&
		r.Route[0].GetDestination().GetPort().GetNumber() == want.Route[0].GetDestination().GetPort().GetNumber() &&
		r.Route[0].GetDestination().GetSubset() == "" && r.Route[0].GetWeight() == 0 &&
		samePathRewrite(r.GetRewrite(), want.GetRewrite()) && r.GetRedirect() == nil
}

// SendsTo is true when every destination of r is host.
func SendsTo(r *apinet.HTTPRoute, host string) bool {
	if len(r.GetRoute()) == 0 {
		return false
	}
	for _, d := range r.Route {
		if d.GetDestination().GetHost() != host {
			return false
		}
	}
	return true
}

// canonical is the match the tool writes today for what m stands for: a
// path prefix without its trailing "/" (but "/"), and a string prefix as
// the path prefix it was written for ("/env" or "/env/" by --prefix /env/),
// so that exposing it again upgrades it and deleting it removes it.
func canonical(m route.Match) route.Match {
	if m.Kind == route.Exact {
		return m
	}
	return route.Match{Kind: route.Prefix, Path: trimSlash(m.Path)}
}

// trimSlash is a path prefix without its trailing "/" ("/" stays).
func trimSlash(p string) string {
	if t := strings.TrimRight(p, "/"); t != "" {
		return t
	}
	return "/"
}
