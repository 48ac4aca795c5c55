package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
)

// How pilot turns a VirtualService into Envoy routes for a gateway
// (pilot/pkg/networking/core/route: BuildHTTPRoutesForVirtualService,
// TranslateRoute, TranslateRouteMatch, ApplyRedirect): one route per
// match of each rule, in order; a match for another port, or another
// gateway (match.gateways), or other source labels is left out; after the
// first catch-all route (a prefix "/" or regex ".*" without header or
// query match, or a rule without match) the VirtualService's later
// routes are dropped.

// Semantics is how pilot reads a VirtualService: as written by a user, or
// as its Gateway API controller converts HTTPRoutes (a path prefix ends
// at a segment; a prefix rewrite to "/" drops the prefix); Origin names
// the object rule a route comes from.
type Semantics struct {
	Gateway bool
	Origin  func(vs *networkingv1.VirtualService, rule int, m *apinet.HTTPMatchRequest) envoy.Origin
}

// Workload is the gateway pods: their labels and namespace.
type Workload struct {
	Labels    map[string]string
	Namespace string
}

// EnvoyRoutes are the routes pilot builds from vs for a server on port of
// Gateway gw (namespace/name) of workload wl.
func EnvoyRoutes(vs *networkingv1.VirtualService, gw ObjectRef, port uint32, tls bool, wl Workload, sem Semantics) []envoy.Route {
	var out []envoy.Route
	for ri, h := range vs.Spec.Http {
		if len(h.Match) == 0 {
			out = append(out, translateRule(vs, ri, h, nil, port, tls, sem))
			break
		}
		catchAll := false
		for _, m := range h.Match {
			if m.Port != 0 && m.Port != port || !sourceMatches(m, vs.Namespace, gw, wl) {
				continue
			}
			r := translateRule(vs, ri, h, m, port, tls, sem)
			out = append(out, r)
			if r.CatchAll() {
				catchAll = true
				break
			}
		}
		if catchAll {
			break
		}
	}
	return out
}

// sourceMatches is pilot's sourceMatchHTTP for a gateway: match.gateways,
// when given, must name gw; else the source labels must be the
// workload's and the source namespace its own.
func sourceMatches(m *apinet.HTTPMatchRequest, vsNS string, gw ObjectRef, wl Workload) bool {
	if len(m.Gateways) > 0 {
		for _, g := range m.Gateways {
			if GatewayOf(g, vsNS) == gw {
				return true
			}
		}
		return false
	}
	if !labels.SelectorFromSet(m.SourceLabels).Matches(labels.Set(wl.Labels)) {
		return false
	}
	return m.SourceNamespace == "" || m.SourceNamespace == wl.Namespace
}

func translateRule(vs *networkingv1.VirtualService, ri int, h *apinet.HTTPRoute, m *apinet.HTTPMatchRequest, port uint32, tls bool, sem Semantics) envoy.Route {
	r := envoy.Route{Match: translateMatch(m, sem.Gateway)}
	if sem.Origin != nil {
		r.Origin = sem.Origin(vs, ri, m)
	} else {
		r.Origin = envoy.Origin{Kind: "VirtualService", Namespace: vs.Namespace, Name: vs.Name, Rule: ri, Match: DescribeHTTPMatch(m)}
	}
	r.Origin.Route = h.Name // pilot names the Envoy route after the rule
	switch {
	case h.Redirect != nil:
		rd := h.Redirect
		r.Redirect = &envoy.Redirect{Code: int(rd.RedirectCode), Host: rd.Authority, Path: rd.Uri, Scheme: rd.Scheme}
		if rd.PrefixRewrite != "" {
			r.Redirect.Path, r.Redirect.PrefixRewrite, r.Redirect.HasPrefix = "", rd.PrefixRewrite, true
		}
		r.Redirect.Port = redirectPort(rd, port, tls)
	case h.DirectResponse != nil:
		r.Direct = &envoy.Direct{Status: int(h.DirectResponse.Status), Body: h.DirectResponse.GetBody().GetString_()}
	default:
		f := &envoy.Forward{}
		for _, d := range h.Route {
			w := d.Weight
			if len(h.Route) == 1 && w == 0 {
				w = 100
			}
			f.Backends = append(f.Backends, envoy.Backend{Host: DestinationFQDN(d.GetDestination().GetHost(), vs.Namespace),
				Port: d.GetDestination().GetPort().GetNumber(), Weight: w, ListenPort: port})
		}
		if rw := h.Rewrite; rw != nil {
			if rx := rw.GetUriRegexRewrite(); rx != nil {
				f.HasRegexRewrite, f.RegexPattern, f.RegexSubstitution = true, rx.Match, rx.Rewrite
			} else if sem.Gateway && rw.Uri == "/" && r.Match.Kind == envoy.SeparatedPrefix {
				f.HasRegexRewrite, f.RegexPattern, f.RegexSubstitution = true, "^"+regexp.QuoteMeta(r.Match.Path)+"(/?)(.*)", `/\2`
			} else {
				f.PrefixRewrite = rw.Uri
			}
			f.HostRewrite = rw.Authority
		}
		r.Forward = f
	}
	return r
}

// translateMatch is pilot's TranslateRouteMatch: a prefix is a plain
// string prefix, or with the Gateway API's semantics one that ends at a
// segment.
func translateMatch(m *apinet.HTTPMatchRequest, gateway bool) envoy.Match {
	out := envoy.Match{Kind: envoy.Prefix, Path: "/"}
	if m == nil {
		return out
	}
	for name, sm := range m.Headers {
		out.Headers = append(out.Headers, envoy.HeaderMatch{Name: name, Match: stringMatch(sm)})
	}
	for name, sm := range m.WithoutHeaders {
		out.Headers = append(out.Headers, envoy.HeaderMatch{Name: name, Match: stringMatch(sm), Invert: true,
			MissingAsEmpty: stringMatch(sm).Kind != envoy.StrPresent})
	}
	sort.Slice(out.Headers, func(i, j int) bool { return out.Headers[i].Name < out.Headers[j].Name })
	switch u := m.GetUri().GetMatchType().(type) {
	case *apinet.StringMatch_Exact:
		out.Kind, out.Path = envoy.Exact, u.Exact
	case *apinet.StringMatch_Prefix:
		out.Kind, out.Path = envoy.Prefix, u.Prefix
		if gateway && u.Prefix != "/" {
			out.Kind, out.Path = envoy.SeparatedPrefix, strings.TrimSuffix(u.Prefix, "/")
		}
	case *apinet.StringMatch_Regex:
		out.Kind, out.Path = envoy.Regex, u.Regex
	}
	out.IgnoreCase = m.IgnoreUriCase
	for name, sm := range map[string]*apinet.StringMatch{":method": m.Method, ":authority": m.Authority, ":scheme": m.Scheme} {
		if sm != nil {
			out.Headers = append(out.Headers, envoy.HeaderMatch{Name: name, Match: stringMatch(sm)})
		}
	}
	for name, sm := range m.QueryParams {
		out.Query = append(out.Query, envoy.QueryMatch{Name: name, Match: stringMatch(sm)})
	}
	return out
}

// stringMatch is pilot's ConvertToEnvoyMatch, with a missing match or
// regex "*" as a presence match (canBeConvertedToPresentMatch).
func stringMatch(sm *apinet.StringMatch) envoy.StringMatch {
	switch u := sm.GetMatchType().(type) {
	case *apinet.StringMatch_Exact:
		return envoy.StringMatch{Kind: envoy.StrExact, Value: u.Exact}
	case *apinet.StringMatch_Prefix:
		return envoy.StringMatch{Kind: envoy.StrPrefix, Value: u.Prefix}
	case *apinet.StringMatch_Regex:
		if u.Regex == "*" {
			return envoy.StringMatch{Kind: envoy.StrPresent}
		}
		return envoy.StringMatch{Kind: envoy.StrRegex, Value: u.Regex}
	}
	return envoy.StringMatch{Kind: envoy.StrPresent}
}

// DescribeHTTPMatch is a match for people: "prefix /api", "exact /x, method
// GET", "any" for no match.
func DescribeHTTPMatch(m *apinet.HTTPMatchRequest) string {
	if m == nil {
		return "any request"
	}
	s := "any path"
	switch u := m.GetUri().GetMatchType().(type) {
	case *apinet.StringMatch_Exact:
		s = "exact " + u.Exact
	case *apinet.StringMatch_Prefix:
		s = "prefix " + u.Prefix
	case *apinet.StringMatch_Regex:
		s = "regex " + u.Regex
	}
	if m.Method != nil {
		s += ", method " + describeString(m.Method)
	}
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s += fmt.Sprintf(", header %s %s", k, describeString(m.Headers[k]))
	}
	qs := make([]string, 0, len(m.QueryParams))
	for k := range m.QueryParams {
		qs = append(qs, k)
	}
	sort.Strings(qs)
	for _, k := range qs {
		s += fmt.Sprintf(", query %s %s", k, describeString(m.QueryParams[k]))
	}
	return s
}

func describeString(sm *apinet.StringMatch) string {
	switch u := sm.GetMatchType().(type) {
	case *apinet.StringMatch_Exact:
		return "= " + u.Exact
	case *apinet.StringMatch_Prefix:
		return "prefix " + u.Prefix
	case *apinet.StringMatch_Regex:
		return "~ " + u.Regex
	}
	return "present"
}

// redirectPort is pilot's ApplyRedirect port: the one given, or the
// server's port for derivePort FROM_REQUEST_PORT; none when it is the
// scheme's default.
func redirectPort(rd *apinet.HTTPRedirect, listen uint32, tls bool) uint32 {
	var port uint32
	switch p := rd.RedirectPort.(type) {
	case nil:
		return 0
	case *apinet.HTTPRedirect_DerivePort:
		if p.DerivePort == apinet.HTTPRedirect_FROM_REQUEST_PORT {
			port = listen
		}
	case *apinet.HTTPRedirect_Port:
		port = p.Port
	}
	scheme := rd.Scheme
	if scheme == "" {
		scheme = "http"
		if tls {
			scheme = "https"
		}
	}
	if port == 80 && scheme == "http" || port == 443 && scheme == "https" {
		return 0
	}
	return port
}

// DescribeHTTPMatchList is a rule's matches for people, "; " between
// them ("any request" for none).
func DescribeHTTPMatchList(h *apinet.HTTPRoute) string {
	if len(h.Match) == 0 {
		return DescribeHTTPMatch(nil)
	}
	parts := make([]string, len(h.Match))
	for i, m := range h.Match {
		parts[i] = DescribeHTTPMatch(m)
	}
	return strings.Join(parts, "; ")
}
