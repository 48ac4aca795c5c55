package model

import (
	"fmt"
	"sort"
	"strings"

	apinet "istio.io/api/networking/v1"
)

// MatchKind is how a route matches the request path.
type MatchKind int

// Exact matches sort before prefixes.
const (
	Exact MatchKind = iota
	Prefix
)

// Match is a route's path match: the only kind of match the tool writes.
type Match struct {
	Kind MatchKind
	Path string
}

func (m Match) String() string {
	if m.Kind == Exact {
		return "exact " + m.Path
	}
	return "prefix " + m.Path
}

// Covers is true when every request m2 matches is matched by m first.
func (m Match) Covers(m2 Match) bool {
	if m.Kind == Exact {
		return m2.Kind == Exact && m2.Path == m.Path
	}
	return strings.HasPrefix(m2.Path, m.Path)
}

// Before is the route order: exact before prefix, longer path before
// shorter, then by path so that the order is total.
func Before(a, b Match) bool {
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	if len(a.Path) != len(b.Path) {
		return len(a.Path) > len(b.Path)
	}
	return a.Path < b.Path
}

// MatchOf reads the path match of a route the tool could have written: one
// match with only a uri prefix or exact. ok is false for any other route.
func MatchOf(r *apinet.HTTPRoute) (Match, bool) {
	if r == nil || len(r.Match) != 1 {
		return Match{}, false
	}
	mr := r.Match[0]
	if mr == nil || mr.Uri == nil || mr.Scheme != nil || mr.Method != nil || mr.Authority != nil ||
		len(mr.Headers) > 0 || mr.Port != 0 || len(mr.SourceLabels) > 0 || len(mr.Gateways) > 0 ||
		len(mr.QueryParams) > 0 || mr.IgnoreUriCase || len(mr.WithoutHeaders) > 0 || mr.SourceNamespace != "" {
		return Match{}, false
	}
	if p := mr.Uri.GetPrefix(); p != "" {
		return Match{Kind: Prefix, Path: p}, true
	}
	if p := mr.Uri.GetExact(); p != "" {
		return Match{Kind: Exact, Path: p}, true
	}
	return Match{}, false
}

// MatchAll is true for a route without any match: it takes every request.
func MatchAll(r *apinet.HTTPRoute) bool { return r != nil && len(r.Match) == 0 }

// DescribeMatch is a route's match for people: "prefix /env", "exact /x",
// "*" for a catch-all, or "custom" for matches the tool does not write.
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
	Rewrite   string // rewrite.uri, optional
}

// FQDN is the destination host NAME.NAMESPACE.svc.cluster.local.
func (t RouteTarget) FQDN() string { return ServiceFQDN(t.Service, t.Namespace) }

// ServiceFQDN is the cluster DNS name of a Service.
func ServiceFQDN(name, ns string) string { return name + "." + ns + ".svc.cluster.local" }

// BuildRoute is the route sending m to t, named after the service.
func BuildRoute(t RouteTarget, m Match) *apinet.HTTPRoute {
	sm := &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: m.Path}}
	if m.Kind == Exact {
		sm = &apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: m.Path}}
	}
	r := &apinet.HTTPRoute{
		Name:  t.Service,
		Match: []*apinet.HTTPMatchRequest{{Uri: sm}},
		Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{
			Host: t.FQDN(), Port: &apinet.PortSelector{Number: uint32(t.Port)}}}},
	}
	if t.Rewrite != "" {
		r.Rewrite = &apinet.HTTPRewrite{Uri: t.Rewrite}
	}
	return r
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
// name, single destination, port and rewrite.
func SameTarget(r, want *apinet.HTTPRoute) bool {
	return r.GetName() == want.GetName() && len(r.GetRoute()) == 1 && len(want.GetRoute()) == 1 &&
		r.Route[0].GetDestination().GetHost() == want.Route[0].GetDestination().GetHost() &&
		r.Route[0].GetDestination().GetPort().GetNumber() == want.Route[0].GetDestination().GetPort().GetNumber() &&
		r.Route[0].GetDestination().GetSubset() == "" && r.Route[0].GetWeight() == 0 &&
		r.GetRewrite().GetUri() == want.GetRewrite().GetUri() && r.GetRedirect() == nil
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

// SortRoutes orders routes most specific first (see Before), in place and
// stably. Routes the tool does not recognise keep their relative order
// after all recognised ones, so a catch-all stays last.
func SortRoutes(routes []*apinet.HTTPRoute) {
	type keyed struct {
		m  Match
		ok bool
		r  *apinet.HTTPRoute
	}
	ks := make([]keyed, len(routes))
	for i, r := range routes {
		m, ok := MatchOf(r)
		ks[i] = keyed{m, ok, r}
	}
	sort.SliceStable(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		if a.ok != b.ok {
			return a.ok
		}
		return a.ok && Before(a.m, b.m)
	})
	for i := range ks {
		routes[i] = ks[i].r
	}
}

// ShadowedBy returns, for each route, the index of the earlier route that
// takes all its requests, or -1.
func ShadowedBy(routes []*apinet.HTTPRoute) []int {
	out := make([]int, len(routes))
	for j, r := range routes {
		out[j] = -1
		mj, okj := MatchOf(r)
		for i := 0; i < j; i++ {
			if MatchAll(routes[i]) {
				out[j] = i
				break
			}
			if mi, oki := MatchOf(routes[i]); oki && okj && mi.Covers(mj) {
				out[j] = i
				break
			}
		}
	}
	return out
}
