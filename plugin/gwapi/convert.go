package gwapi

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// How Istio's Gateway API controller turns HTTPRoutes into the
// VirtualServices pilot serves (pilot/pkg/config/kube/gateway:
// route_collections.go, conversion.go): each rule is split into one
// route per match; per parent listener and route hostname ("*" without
// hostnames) one VirtualService; those of one listener and hostname are
// merged, oldest HTTPRoute first (then namespace, name), and their routes
// stably sorted by the Gateway API's precedence (sortHTTPRoutes: exact,
// prefix, regex; longer path; a method; more headers; more query
// parameters). Those VirtualServices then go through the same gateway
// code as hand-written ones (package rules), with the Gateway API's
// semantics.

// converted are the VirtualServices of one listener and where each of
// their routes came from.
type converted struct {
	vss    []*networkingv1.VirtualService
	origin map[*apinet.HTTPRoute]envoy.Origin
}

func (c *converted) semantics() rules.Semantics {
	return rules.Semantics{Gateway: true, Origin: func(vs *networkingv1.VirtualService, ri int, _ *apinet.HTTPMatchRequest) envoy.Origin {
		return c.origin[vs.Spec.Http[ri]]
	}}
}

// listenerRef is the name Istio gives the Gateway it makes of listener l
// of g: the Gateway ref VirtualServices bind.
func listenerRef(g *gwv1.Gateway, l gwv1.Listener) rules.ObjectRef {
	return rules.ObjectRef{Namespace: g.Namespace, Name: g.Name + "~" + string(l.Name)}
}

// convertListener is the VirtualServices Istio makes for listener l of g
// from routes (those attached to it).
func convertListener(g *gwv1.Gateway, l gwv1.Listener, routes []*gwv1.HTTPRoute, c *converted) {
	routes = slices.Clone(routes)
	sort.SliceStable(routes, func(i, j int) bool {
		a, b := routes[i], routes[j]
		if r := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); r != 0 {
			return r < 0
		}
		if r := cmp.Compare(a.Namespace, b.Namespace); r != 0 {
			return r < 0
		}
		return a.Name < b.Name
	})
	ref := listenerRef(g, l)
	byHost := map[string]*networkingv1.VirtualService{}
	var order []string
	for _, r := range routes {
		hosts := []string{"*"}
		if len(r.Spec.Hostnames) > 0 {
			hosts = nil
			for _, h := range r.Spec.Hostnames {
				if HostnamesIntersect(l.Hostname, string(h)) {
					hosts = append(hosts, strings.ToLower(string(h)))
				}
			}
		}
		for _, h := range hosts {
			vs := byHost[h]
			if vs == nil {
				vs = &networkingv1.VirtualService{}
				vs.Namespace, vs.Name, vs.CreationTimestamp = r.Namespace, ref.Name+"~"+h, r.CreationTimestamp
				vs.Spec.Hosts, vs.Spec.Gateways = []string{h}, []string{ref.String()}
				byHost[h] = vs
				order = append(order, h)
			}
			vs.Spec.Http = append(vs.Spec.Http, convertRoute(r, c)...)
		}
	}
	for _, h := range order {
		sortByPrecedence(byHost[h].Spec.Http)
		c.vss = append(c.vss, byHost[h])
	}
}

// convertRoute is Istio's convertHTTPRoute of every rule of r, split per
// match.
func convertRoute(r *gwv1.HTTPRoute, c *converted) []*apinet.HTTPRoute {
	var out []*apinet.HTTPRoute
	for ri, rule := range r.Spec.Rules {
		matches := rule.Matches
		if len(matches) == 0 {
			matches = []gwv1.HTTPRouteMatch{{}}
		}
		for mi, m := range matches {
			h := convertRule(r, rule, m, len(rule.Matches) > 0)
			h.Name = fmt.Sprintf("%s.%s.%d", r.Namespace, r.Name, ri)
			c.origin[h] = envoy.Origin{Kind: "HTTPRoute", Namespace: r.Namespace, Name: r.Name, Rule: ri, Match: describeMatch(m)}
			_ = mi
			out = append(out, h)
		}
	}
	return out
}

func convertRule(r *gwv1.HTTPRoute, rule gwv1.HTTPRouteRule, m gwv1.HTTPRouteMatch, hasMatch bool) *apinet.HTTPRoute {
	h := &apinet.HTTPRoute{}
	if hasMatch {
		h.Match = []*apinet.HTTPMatchRequest{convertMatch(m)}
	}
	for _, f := range rule.Filters {
		switch {
		case f.Type == gwv1.HTTPRouteFilterRequestRedirect && f.RequestRedirect != nil:
			h.Redirect = convertRedirect(f.RequestRedirect)
		case f.Type == gwv1.HTTPRouteFilterURLRewrite && f.URLRewrite != nil:
			h.Rewrite = convertRewrite(f.URLRewrite)
		}
	}
	var sum int32
	for _, b := range rule.BackendRefs {
		sum += ptr.Deref(b.Weight, 1)
	}
	if sum == 0 && h.Redirect == nil {
		h.DirectResponse = &apinet.HTTPDirectResponse{Status: 500}
		return h
	}
	for _, b := range rule.BackendRefs {
		ns := string(ptr.Deref(b.Namespace, gwv1.Namespace(r.Namespace)))
		h.Route = append(h.Route, &apinet.HTTPRouteDestination{Weight: ptr.Deref(b.Weight, 1),
			Destination: &apinet.Destination{Host: rules.ServiceFQDN(string(b.Name), ns),
				Port: &apinet.PortSelector{Number: uint32(ptr.Deref(b.Port, 0))}}})
	}
	return h
}

func convertMatch(m gwv1.HTTPRouteMatch) *apinet.HTTPMatchRequest {
	out := &apinet.HTTPMatchRequest{}
	tp, val := gwv1.PathMatchPathPrefix, "/"
	if m.Path != nil {
		tp, val = ptr.Deref(m.Path.Type, tp), ptr.Deref(m.Path.Value, val)
	}
	switch tp {
	case gwv1.PathMatchExact:
		out.Uri = &apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: val}}
	case gwv1.PathMatchRegularExpression:
		out.Uri = &apinet.StringMatch{MatchType: &apinet.StringMatch_Regex{Regex: val}}
	default:
		if val != "/" {
			val = strings.TrimSuffix(val, "/")
		}
		out.Uri = &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: val}}
	}
	for _, hm := range m.Headers {
		if out.Headers == nil {
			out.Headers = map[string]*apinet.StringMatch{}
		}
		out.Headers[strings.ToLower(string(hm.Name))] = valueMatch(ptr.Deref(hm.Type, gwv1.HeaderMatchExact) == gwv1.HeaderMatchRegularExpression, hm.Value)
	}
	for _, qm := range m.QueryParams {
		if out.QueryParams == nil {
			out.QueryParams = map[string]*apinet.StringMatch{}
		}
		out.QueryParams[string(qm.Name)] = valueMatch(ptr.Deref(qm.Type, gwv1.QueryParamMatchExact) == gwv1.QueryParamMatchRegularExpression, qm.Value)
	}
	if m.Method != nil {
		out.Method = &apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: string(*m.Method)}}
	}
	return out
}

func valueMatch(regex bool, v string) *apinet.StringMatch {
	if regex {
		return &apinet.StringMatch{MatchType: &apinet.StringMatch_Regex{Regex: v}}
	}
	return &apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: v}}
}

// convertRedirect is Istio's createRedirectFilter.
func convertRedirect(f *gwv1.HTTPRequestRedirectFilter) *apinet.HTTPRedirect {
	rd := &apinet.HTTPRedirect{RedirectCode: uint32(ptr.Deref(f.StatusCode, 0))}
	if f.Hostname != nil {
		rd.Authority = string(*f.Hostname)
	}
	if f.Scheme != nil {
		rd.Scheme = *f.Scheme
	}
	switch {
	case f.Port != nil:
		rd.RedirectPort = &apinet.HTTPRedirect_Port{Port: uint32(*f.Port)}
	case f.Scheme != nil:
		rd.RedirectPort = &apinet.HTTPRedirect_DerivePort{DerivePort: apinet.HTTPRedirect_FROM_PROTOCOL_DEFAULT}
	default:
		rd.RedirectPort = &apinet.HTTPRedirect_DerivePort{DerivePort: apinet.HTTPRedirect_FROM_REQUEST_PORT}
	}
	if p := f.Path; p != nil {
		switch p.Type {
		case gwv1.FullPathHTTPPathModifier:
			rd.Uri = ptr.Deref(p.ReplaceFullPath, "")
		case gwv1.PrefixMatchHTTPPathModifier:
			rd.PrefixRewrite = ptr.Deref(p.ReplacePrefixMatch, "")
		}
	}
	return rd
}

// convertRewrite is Istio's createRewriteFilter.
func convertRewrite(f *gwv1.HTTPURLRewriteFilter) *apinet.HTTPRewrite {
	rw := &apinet.HTTPRewrite{}
	if p := f.Path; p != nil {
		switch p.Type {
		case gwv1.PrefixMatchHTTPPathModifier:
			rw.Uri = strings.TrimSuffix(ptr.Deref(p.ReplacePrefixMatch, ""), "/")
			if rw.Uri == "" {
				rw.Uri = "/"
			}
		case gwv1.FullPathHTTPPathModifier:
			rw.UriRegexRewrite = &apinet.RegexRewrite{Match: "/.*", Rewrite: ptr.Deref(p.ReplaceFullPath, "")}
		}
	}
	if f.Hostname != nil {
		rw.Authority = string(*f.Hostname)
	}
	return rw
}

// sortByPrecedence is Istio's sortHTTPRoutes.
func sortByPrecedence(routes []*apinet.HTTPRoute) {
	sort.SliceStable(routes, func(i, j int) bool {
		if len(routes[i].Match) == 0 {
			return false
		} else if len(routes[j].Match) == 0 {
			return true
		}
		m1, m2 := routes[i].Match[0], routes[j].Match[0]
		r1, r2 := uriRank(m1), uriRank(m2)
		l1, l2 := uriLength(m1), uriLength(m2)
		switch {
		case r1 != r2:
			return r1 > r2
		case l1 != l2:
			return l1 > l2
		case (m1.Method == nil) != (m2.Method == nil):
			return m1.Method != nil
		case len(m1.Headers) != len(m2.Headers):
			return len(m1.Headers) > len(m2.Headers)
		default:
			return len(m1.QueryParams) > len(m2.QueryParams)
		}
	})
}

func uriRank(m *apinet.HTTPMatchRequest) int {
	switch m.GetUri().GetMatchType().(type) {
	case *apinet.StringMatch_Exact:
		return 3
	case *apinet.StringMatch_Prefix:
		return 2
	case *apinet.StringMatch_Regex:
		return 1
	}
	return -1
}

func uriLength(m *apinet.HTTPMatchRequest) int {
	switch u := m.GetUri().GetMatchType().(type) {
	case *apinet.StringMatch_Exact:
		return len(u.Exact)
	case *apinet.StringMatch_Prefix:
		return len(u.Prefix)
	case *apinet.StringMatch_Regex:
		return len(u.Regex)
	}
	return 0
}
