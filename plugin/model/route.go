package model

import (
	"fmt"
	"strings"

	apinet "istio.io/api/networking/v1"
)

// MatchOf reads the path match of a route the tool could have written: a
// path prefix P as the two matches exact P and prefix P/ (in that order;
// "/" as one prefix "/"), one exact path, or one other uri prefix, a string
// prefix (as the tool wrote --prefix before). ok is false for any other
// route.
func MatchOf(r *apinet.HTTPRoute) (Match, bool) {
	switch len(r.GetMatch()) {
	case 1:
		u := plainURI(r.Match[0])
		if p := u.GetPrefix(); p == "/" {
			return Match{Kind: Prefix, Path: p}, true
		} else if p != "" {
			return Match{Kind: StringPrefix, Path: p}, true
		}
		if p := u.GetExact(); p != "" {
			return Match{Kind: Exact, Path: p}, true
		}
	case 2:
		e, p := plainURI(r.Match[0]).GetExact(), plainURI(r.Match[1]).GetPrefix()
		if e != "" && !strings.HasSuffix(e, "/") && p == e+"/" {
			return Match{Kind: Prefix, Path: e}, true
		}
	}
	return Match{}, false
}

// plainURI is the uri of a match request that matches on nothing else, or
// nil.
func plainURI(mr *apinet.HTTPMatchRequest) *apinet.StringMatch {
	if mr == nil || mr.Scheme != nil || mr.Method != nil || mr.Authority != nil ||
		len(mr.Headers) > 0 || mr.Port != 0 || len(mr.SourceLabels) > 0 || len(mr.Gateways) > 0 ||
		len(mr.QueryParams) > 0 || mr.IgnoreUriCase || len(mr.WithoutHeaders) > 0 || mr.SourceNamespace != "" {
		return nil
	}
	return mr.Uri
}

// uriMatches are the match requests the tool writes for m (see MatchOf).
func uriMatches(m Match) []*apinet.HTTPMatchRequest {
	uri := func(sm *apinet.StringMatch) *apinet.HTTPMatchRequest { return &apinet.HTTPMatchRequest{Uri: sm} }
	exact := func(p string) *apinet.HTTPMatchRequest {
		return uri(&apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: p}})
	}
	prefix := func(p string) *apinet.HTTPMatchRequest {
		return uri(&apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: p}})
	}
	switch p := trimSlash(m.Path); {
	case m.Kind == Exact:
		return []*apinet.HTTPMatchRequest{exact(m.Path)}
	case m.Kind == StringPrefix:
		return []*apinet.HTTPMatchRequest{prefix(m.Path)}
	case p == "/":
		return []*apinet.HTTPMatchRequest{prefix(p)}
	default:
		return []*apinet.HTTPMatchRequest{exact(p), prefix(p + "/")}
	}
}

// MatchAll is true for a route without any match: it takes every request.
func MatchAll(r *apinet.HTTPRoute) bool { return r != nil && len(r.Match) == 0 }

// DescribeMatch is a route's match for people: "prefix /env", "exact /x",
// "string-prefix /env" (a plain string prefix: "/env" also takes
// "/envoy"), "*" for a catch-all, or "custom" for matches the tool does not
// write.
func DescribeMatch(r *apinet.HTTPRoute) string {
	if m, ok := MatchOf(r); ok {
		return m.String()
	}
	if MatchAll(r) {
		return "*"
	}
	return "custom"
}

// RouteTarget is where the tool sends a route.
type RouteTarget struct {
	Service   string // Service name, also the route's name
	Namespace string
	Port      int32
	Rewrite   string // --rewrite: what the matched path becomes, optional
}

// FQDN is the destination host NAME.NAMESPACE.svc.cluster.local.
func (t RouteTarget) FQDN() string { return ServiceFQDN(t.Service, t.Namespace) }

// ServiceFQDN is the cluster DNS name of a Service.
func ServiceFQDN(name, ns string) string { return name + "." + ns + ".svc.cluster.local" }

// BuildRoute is the route sending m to t, named after the service: a path
// prefix is written as its two matches (see MatchOf) and its rewrite as a
// regex (see buildRewrite).
func BuildRoute(t RouteTarget, m Match) *apinet.HTTPRoute {
	return &apinet.HTTPRoute{
		Name:  t.Service,
		Match: uriMatches(m),
		Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{
			Host: t.FQDN(), Port: &apinet.PortSelector{Number: uint32(t.Port)}}}},
		Rewrite: buildRewrite(m, t.Rewrite),
	}
}

// Destinations is "host:port" of each destination of a route.
func Destinations(r *apinet.HTTPRoute) []string {
	var out []string
	for _, d := range r.GetRoute() {
		dst := d.GetDestination()
		s := dst.GetHost()
		if n := dst.GetPort().GetNumber(); n != 0 {
			s = fmt.Sprintf("%s:%d", s, n)
		}
		out = append(out, s)
	}
	return out
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
