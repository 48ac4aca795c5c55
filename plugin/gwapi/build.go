package gwapi

import (
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// pathMatch writes a match: --prefix is Gateway API's PathPrefix (the
// path-prefix meaning the tool gives --prefix), --exact is Exact.
func pathMatch(m route.Match) gwv1.HTTPRouteMatch {
	t := gwv1.PathMatchPathPrefix
	if m.Kind == route.Exact {
		t = gwv1.PathMatchExact
	}
	return gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: &t, Value: ptr.To(m.Path)}}
}

// canonical is a built rule with the CRD's defaults written, as stored.
func canonical(r gwv1.HTTPRouteRule) gwv1.HTTPRouteRule {
	canonicalRule(&r)
	return r
}

// MatchOf reads a rule the tool writes: one path match and nothing else
// (no headers, query parameters or method). ok is false for other rules.
func MatchOf(r gwv1.HTTPRouteRule) (route.Match, bool) {
	if len(r.Matches) == 0 {
		return route.Match{Kind: route.Prefix, Path: "/"}, true // no match: every request
	}
	if len(r.Matches) != 1 {
		return route.Match{}, false
	}
	return matchOf(r.Matches[0])
}

func matchOf(m gwv1.HTTPRouteMatch) (route.Match, bool) {
	if len(m.Headers) > 0 || len(m.QueryParams) > 0 || m.Method != nil {
		return route.Match{}, false
	}
	if m.Path == nil {
		return route.Match{Kind: route.Prefix, Path: "/"}, true // the API's default
	}
	v := "/"
	if m.Path.Value != nil {
		v = *m.Path.Value
	}
	t := gwv1.PathMatchPathPrefix
	if m.Path.Type != nil {
		t = *m.Path.Type
	}
	switch t {
	case gwv1.PathMatchExact:
		return route.Match{Kind: route.Exact, Path: v}, true
	case gwv1.PathMatchPathPrefix:
		if len(v) > 1 && v[len(v)-1] == '/' {
			v = v[:len(v)-1] // "/env/" is "/env" in Gateway API too
		}
		return route.Match{Kind: route.Prefix, Path: v}, true
	}
	return route.Match{}, false
}

// backendRule is the rule sending m to the target: a backendRef to the
// Service port, with a URLRewrite for --rewrite (ReplacePrefixMatch for a
// path prefix, ReplaceFullPath for an exact path).
func backendRule(m route.Match, t route.RouteTarget) gwv1.HTTPRouteRule {
	r := gwv1.HTTPRouteRule{
		Matches: []gwv1.HTTPRouteMatch{pathMatch(m)},
		BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{
			Name: gwv1.ObjectName(t.Service), Port: ptr.To(gwv1.PortNumber(t.Port)),
		}}}},
	}
	if t.Rewrite != "" {
		mod := gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To(t.Rewrite)}
		if m.Kind == route.Exact {
			mod = gwv1.HTTPPathModifier{Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: ptr.To(t.Rewrite)}
		}
		r.Filters = []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: &gwv1.HTTPURLRewriteFilter{Path: &mod}}}
	}
	return canonical(r)
}

// redirectRule answers m with a redirect to https (301), the Gateway API
// way of --https-redirect on the HTTP listener, to the HTTPS listener's
// port when it is not 443 (Istio redirects to the scheme's default port
// otherwise).
func redirectRule(m route.Match, httpsPort gwv1.PortNumber) gwv1.HTTPRouteRule {
	f := &gwv1.HTTPRequestRedirectFilter{Scheme: ptr.To("https"), StatusCode: ptr.To(301)}
	if httpsPort != 0 && httpsPort != 443 {
		f.Port = ptr.To(httpsPort)
	}
	return canonical(gwv1.HTTPRouteRule{
		Matches: []gwv1.HTTPRouteMatch{pathMatch(m)},
		Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterRequestRedirect, RequestRedirect: f}},
	})
}

// newRoute is an HTTPRoute of the tool.
func newRoute(name, ns, host string, parents []gwv1.ParentReference) *gwv1.HTTPRoute {
	r := &gwv1.HTTPRoute{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: managedLabels()},
		Spec:       gwv1.HTTPRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: parents}},
	}
	if host != "*" {
		r.Spec.Hostnames = []gwv1.Hostname{gwv1.Hostname(host)}
	}
	return r
}

// parentRef points at listener section of gw from a route in routeNS.
func parentRef(gw route.ObjectRef, section gwv1.SectionName, routeNS string) gwv1.ParentReference {
	p := gwv1.ParentReference{Name: gwv1.ObjectName(gw.Name), SectionName: ptr.To(section)}
	if gw.Namespace != routeNS {
		p.Namespace = ptr.To(gwv1.Namespace(gw.Namespace))
	}
	canonicalParent(&p)
	return p
}

// HostOf is the host a route of the tool is for: its hostname, "*"
// without one.
func HostOf(r *gwv1.HTTPRoute) string {
	if len(r.Spec.Hostnames) == 0 {
		return "*"
	}
	return string(r.Spec.Hostnames[0])
}

// sortRules orders rules as Gateway API ranks their matches (exact
// before prefixes, longer before shorter): the order is only for the
// reader, precedence does not depend on it.
func sortRules(rs []gwv1.HTTPRouteRule) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, aok := MatchOf(rs[i])
		b, bok := MatchOf(rs[j])
		if !aok || !bok {
			return aok && !bok
		}
		return rules.Before(a, b)
	})
}
