package main

// Matching a request against the Envoy configuration Istio generated, as
// Envoy does it: filter chain by transport and SNI, virtual host by domain,
// the first route whose match holds, then the route's action. Which
// listeners, virtual hosts and routes exist is Istio's decision (pilot.go);
// only their reading is written here.

import (
	"net"
	"regexp"
	"strconv"
	"strings"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// Request is what matching needs of an HTTP request.
type Request struct {
	Host   string
	Method string
	Path   string // path only
	Query  string // raw query, no '?'
	Header map[string][]string
	TLS    bool
}

// Decision is what Envoy does with a request.
type Decision struct {
	Listener    string `json:"listener"`
	FilterChain string `json:"filterChain,omitempty"`
	RouteConfig string `json:"routeConfig,omitempty"`
	VirtualHost string `json:"virtualHost,omitempty"`
	Route       string `json:"route,omitempty"`
	// Status is set when Envoy answers itself (404, 301, direct response,
	// 503); Cluster and Path are set when it forwards.
	Status   int    `json:"status,omitempty"`
	Reason   string `json:"reason,omitempty"` // route_not_found, cluster_not_found, ...
	Location string `json:"location,omitempty"`
	Body     string `json:"body,omitempty"`
	Cluster  string `json:"cluster,omitempty"`
	Path     string `json:"path,omitempty"` // upstream path (and ?query)
	Host     string `json:"host,omitempty"` // upstream :authority
}

// chainsFor filters a listener's filter chains for a connection: TLS or
// plain, then server names ranked as Envoy ranks them (exact, then the
// longest wildcard suffix, then chains without server names).
func chainsFor(l *listener.Listener, isTLS bool, sni string) []*listener.FilterChain {
	var byTransport []*listener.FilterChain
	for _, fc := range l.GetFilterChains() {
		tp := fc.GetFilterChainMatch().GetTransportProtocol()
		hasTLS := fc.GetTransportSocket() != nil
		switch {
		case tp == "tls" && !isTLS, tp == "raw_buffer" && isTLS:
			continue
		case tp == "" && hasTLS != isTLS:
			continue
		}
		byTransport = append(byTransport, fc)
	}
	best, bestRank := []*listener.FilterChain(nil), -1
	for _, fc := range byTransport {
		names := fc.GetFilterChainMatch().GetServerNames()
		rank := 0 // no server names: matches when nothing better does
		if len(names) > 0 {
			rank = -1
			for _, n := range names {
				switch {
				case strings.EqualFold(n, sni):
					rank = max(rank, 1<<20)
				case strings.HasPrefix(n, "*.") && sni != "" && strings.HasSuffix(strings.ToLower(sni), strings.ToLower(n[1:])):
					rank = max(rank, len(n))
				}
			}
			if rank < 0 {
				continue
			}
		}
		switch {
		case rank > bestRank:
			best, bestRank = []*listener.FilterChain{fc}, rank
		case rank == bestRank:
			best = append(best, fc)
		}
	}
	return best
}

// ChooseChain is the filter chain a connection lands on, or nil (Envoy
// closes the connection).
func ChooseChain(l *listener.Listener, isTLS bool, sni string) *listener.FilterChain {
	if cs := chainsFor(l, isTLS, sni); len(cs) > 0 {
		return cs[0]
	}
	if d := l.GetDefaultFilterChain(); d != nil && (d.GetTransportSocket() != nil) == isTLS {
		return d
	}
	return nil
}

// HasTLS is true when the listener terminates TLS on some chain.
func HasTLS(l *listener.Listener) bool {
	for _, fc := range l.GetFilterChains() {
		if fc.GetTransportSocket() != nil {
			return true
		}
	}
	return false
}

// Credentials are the SDS secret names a TLS chain needs
// ("kubernetes://NAME"), read from its DownstreamTlsContext.
func Credentials(fc *listener.FilterChain) []string {
	ts := fc.GetTransportSocket()
	if ts == nil {
		return nil
	}
	ctx := &tlsv3.DownstreamTlsContext{}
	if err := ts.GetTypedConfig().UnmarshalTo(ctx); err != nil {
		return nil
	}
	var out []string
	for _, s := range ctx.GetCommonTlsContext().GetTlsCertificateSdsSecretConfigs() {
		out = append(out, s.GetName())
	}
	return out
}

// HCM is the chain's HTTP connection manager, nil for TCP chains.
func HCM(fc *listener.FilterChain) *hcm.HttpConnectionManager {
	for _, f := range fc.GetFilters() {
		if tc, ok := f.GetConfigType().(*listener.Filter_TypedConfig); ok {
			h := &hcm.HttpConnectionManager{}
			if isType(tc.TypedConfig, h) && tc.TypedConfig.UnmarshalTo(h) == nil {
				return h
			}
		}
	}
	return nil
}

func isType(a *anypb.Any, h *hcm.HttpConnectionManager) bool {
	return strings.HasSuffix(a.GetTypeUrl(), string(h.ProtoReflect().Descriptor().FullName()))
}

// Decide routes req that arrived on filter chain fc of listener l.
func Decide(v *View, l *listener.Listener, fc *listener.FilterChain, req Request) Decision {
	d := Decision{Listener: l.GetName(), FilterChain: fc.GetName()}
	h := HCM(fc)
	if h == nil {
		return notFound(d, "no_http_connection_manager")
	}
	rc := h.GetRouteConfig()
	if rc == nil {
		d.RouteConfig = h.GetRds().GetRouteConfigName()
		rc = v.Routes[d.RouteConfig]
	}
	if rc == nil {
		return notFound(d, "route_not_found")
	}
	host := req.Host
	if rc.GetIgnorePortInHostMatching() || h.GetStripAnyHostPort() {
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
		}
	}
	vh := matchVirtualHost(rc, host)
	if vh == nil {
		return notFound(d, "route_not_found")
	}
	d.VirtualHost = vh.GetName()
	if vh.GetRequireTls() != route.VirtualHost_NONE && !req.TLS {
		d.Status, d.Reason = 301, "require_tls"
		d.Location = "https://" + stripDefaultPort(req.Host) + req.Path + query(req.Query)
		return d
	}
	r := matchRoute(vh, req)
	if r == nil {
		return notFound(d, "route_not_found")
	}
	d.Route = r.GetName()
	switch a := r.GetAction().(type) {
	case *route.Route_Route:
		return forward(v, d, r, a.Route, req)
	case *route.Route_Redirect:
		return redirect(d, r, a.Redirect, req)
	case *route.Route_DirectResponse:
		d.Status, d.Reason = int(a.DirectResponse.GetStatus()), "direct_response"
		d.Body = a.DirectResponse.GetBody().GetInlineString()
		return d
	}
	return notFound(d, "route_not_found")
}

func notFound(d Decision, reason string) Decision {
	d.Status, d.Reason = 404, reason
	return d
}

func query(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

func stripDefaultPort(host string) string {
	if h, p, err := net.SplitHostPort(host); err == nil && (p == "80" || p == "443") {
		return h
	}
	return host
}

func forward(v *View, d Decision, r *route.Route, a *route.RouteAction, req Request) Decision {
	switch c := a.GetClusterSpecifier().(type) {
	case *route.RouteAction_Cluster:
		d.Cluster = c.Cluster
	case *route.RouteAction_WeightedClusters:
		// The heaviest cluster (the first of equals): deterministic for
		// tests. The view is shared by every request: read it, never sort it.
		var best uint32
		for i, w := range c.WeightedClusters.GetClusters() {
			if i == 0 || w.GetWeight().GetValue() > best {
				d.Cluster, best = w.GetName(), w.GetWeight().GetValue()
			}
		}
	}
	if !v.Clusters[d.Cluster] {
		d.Status, d.Reason = 503, "cluster_not_found"
		return d
	}
	d.Path = rewritePath(r.GetMatch(), req.Path, a.GetPrefixRewrite(), a.GetRegexRewrite()) + query(req.Query)
	d.Host = req.Host
	if hr := a.GetHostRewriteLiteral(); hr != "" {
		d.Host = hr
	}
	return d
}

func redirect(d Decision, r *route.Route, a *route.RedirectAction, req Request) Decision {
	codes := map[route.RedirectAction_RedirectResponseCode]int{
		route.RedirectAction_MOVED_PERMANENTLY: 301, route.RedirectAction_FOUND: 302,
		route.RedirectAction_SEE_OTHER: 303, route.RedirectAction_TEMPORARY_REDIRECT: 307,
		route.RedirectAction_PERMANENT_REDIRECT: 308,
	}
	d.Status, d.Reason = codes[a.GetResponseCode()], "redirect"
	scheme := "http"
	if req.TLS {
		scheme = "https"
	}
	host := req.Host
	switch {
	case a.GetHttpsRedirect():
		scheme, host = "https", stripDefaultPort(host)
	case a.GetSchemeRedirect() != "":
		scheme, host = a.GetSchemeRedirect(), stripDefaultPort(host)
	}
	if a.GetHostRedirect() != "" {
		host = a.GetHostRedirect()
	}
	if p := a.GetPortRedirect(); p != 0 {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = net.JoinHostPort(host, strconv.Itoa(int(p)))
	}
	path := req.Path
	switch {
	case a.GetPathRedirect() != "":
		path = a.GetPathRedirect()
	case a.GetPrefixRewrite() != "" || a.GetRegexRewrite() != nil:
		path = rewritePath(r.GetMatch(), req.Path, a.GetPrefixRewrite(), a.GetRegexRewrite())
	}
	q := query(req.Query)
	if a.GetStripQuery() {
		q = ""
	}
	d.Location = scheme + "://" + host + path + q
	return d
}

// rewritePath applies prefix_rewrite (the matched prefix, or the whole
// path for exact and regex matches, is swapped) or regex_rewrite.
func rewritePath(m *route.RouteMatch, path, prefix string, rx *matcher.RegexMatchAndSubstitute) string {
	if rx != nil {
		re, err := regexp.Compile(rx.GetPattern().GetRegex())
		if err != nil {
			return path
		}
		return re.ReplaceAllString(path, re2Substitution(rx.GetSubstitution()))
	}
	if prefix == "" {
		return path
	}
	switch p := m.GetPathSpecifier().(type) {
	case *route.RouteMatch_Prefix:
		return prefix + path[len(p.Prefix):]
	case *route.RouteMatch_PathSeparatedPrefix:
		return prefix + path[len(p.PathSeparatedPrefix):]
	}
	return prefix
}

// re2Substitution turns Envoy's substitution (\1 for a group, \\ for a
// backslash) into Go's (${1}, and $$ for a dollar).
func re2Substitution(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			b.WriteString("${" + s[i+1:i+2] + "}")
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// matchVirtualHost picks the virtual host as Envoy does: exact domain,
// then the longest "*.suffix", then the longest "prefix*", then "*";
// domains compare case-insensitively.
func matchVirtualHost(rc *route.RouteConfiguration, host string) *route.VirtualHost {
	host = strings.ToLower(host)
	for _, vh := range rc.GetVirtualHosts() {
		for _, d := range vh.GetDomains() {
			if strings.ToLower(d) == host {
				return vh
			}
		}
	}
	var best *route.VirtualHost
	longest := 0
	for _, vh := range rc.GetVirtualHosts() {
		for _, d := range vh.GetDomains() {
			d = strings.ToLower(d)
			if len(d) > 1 && d[0] == '*' && len(host) > len(d)-1 && strings.HasSuffix(host, d[1:]) && len(d) > longest {
				best, longest = vh, len(d)
			}
		}
	}
	if best != nil {
		return best
	}
	for _, vh := range rc.GetVirtualHosts() {
		for _, d := range vh.GetDomains() {
			d = strings.ToLower(d)
			if len(d) > 1 && d[len(d)-1] == '*' && len(host) > len(d)-1 && strings.HasPrefix(host, d[:len(d)-1]) && len(d) > longest {
				best, longest = vh, len(d)
			}
		}
	}
	if best != nil {
		return best
	}
	for _, vh := range rc.GetVirtualHosts() {
		for _, d := range vh.GetDomains() {
			if d == "*" {
				return vh
			}
		}
	}
	return nil
}

func matchRoute(vh *route.VirtualHost, req Request) *route.Route {
	for _, r := range vh.GetRoutes() {
		if routeMatches(r.GetMatch(), req) {
			return r
		}
	}
	return nil
}

func routeMatches(m *route.RouteMatch, req Request) bool {
	path := req.Path
	cs := m.GetCaseSensitive() == nil || m.GetCaseSensitive().GetValue()
	eq := func(a, b string) bool { return a == b || !cs && strings.EqualFold(a, b) }
	hasPrefix := func(s, p string) bool { return len(s) >= len(p) && eq(s[:len(p)], p) }
	switch p := m.GetPathSpecifier().(type) {
	case *route.RouteMatch_Prefix:
		if !hasPrefix(path, p.Prefix) {
			return false
		}
	case *route.RouteMatch_Path:
		if !eq(path, p.Path) {
			return false
		}
	case *route.RouteMatch_PathSeparatedPrefix:
		// Envoy: the path equals the prefix or continues with '/' (or ?/#).
		pre := p.PathSeparatedPrefix
		if !hasPrefix(path, pre) || len(path) > len(pre) && path[len(pre)] != '/' {
			return false
		}
	case *route.RouteMatch_SafeRegex:
		re, err := regexp.Compile("^(?:" + p.SafeRegex.GetRegex() + ")$")
		if err != nil || !re.MatchString(path) {
			return false
		}
	default:
		return false
	}
	for _, hm := range m.GetHeaders() {
		if !headerMatches(hm, req) {
			return false
		}
	}
	for _, qm := range m.GetQueryParameters() {
		if !queryMatches(qm, req.Query) {
			return false
		}
	}
	return true
}

func headerValue(req Request, name string) (string, bool) {
	switch strings.ToLower(name) {
	case ":authority":
		return req.Host, true
	case ":method":
		return req.Method, true
	case ":path":
		return req.Path + query(req.Query), true
	case ":scheme":
		if req.TLS {
			return "https", true
		}
		return "http", true
	}
	for k, vs := range req.Header {
		if strings.EqualFold(k, name) {
			return strings.Join(vs, ","), true
		}
	}
	return "", false
}

func headerMatches(hm *route.HeaderMatcher, req Request) bool {
	v, ok := headerValue(req, hm.GetName())
	if !ok && hm.GetTreatMissingHeaderAsEmpty() {
		v, ok = "", true
	}
	var res bool
	switch s := hm.GetHeaderMatchSpecifier().(type) {
	case *route.HeaderMatcher_PresentMatch:
		res = ok == s.PresentMatch
	case *route.HeaderMatcher_ExactMatch:
		res = ok && v == s.ExactMatch
	case *route.HeaderMatcher_PrefixMatch:
		res = ok && strings.HasPrefix(v, s.PrefixMatch)
	case *route.HeaderMatcher_SuffixMatch:
		res = ok && strings.HasSuffix(v, s.SuffixMatch)
	case *route.HeaderMatcher_ContainsMatch:
		res = ok && strings.Contains(v, s.ContainsMatch)
	case *route.HeaderMatcher_SafeRegexMatch:
		res = ok && fullMatch(s.SafeRegexMatch.GetRegex(), v)
	case *route.HeaderMatcher_StringMatch:
		res = ok && stringMatches(s.StringMatch, v)
	case nil:
		res = ok
	}
	return res != hm.GetInvertMatch()
}

func queryMatches(qm *route.QueryParameterMatcher, raw string) bool {
	var vals []string
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k == qm.GetName() {
			vals = append(vals, v)
		}
	}
	if qm.GetPresentMatch() {
		return len(vals) > 0
	}
	if len(vals) == 0 {
		return false
	}
	if sm := qm.GetStringMatch(); sm != nil {
		return stringMatches(sm, vals[0])
	}
	return true
}

func stringMatches(sm *matcher.StringMatcher, v string) bool {
	ic := sm.GetIgnoreCase()
	low := func(s string) string {
		if ic {
			return strings.ToLower(s)
		}
		return s
	}
	switch p := sm.GetMatchPattern().(type) {
	case *matcher.StringMatcher_Exact:
		return low(v) == low(p.Exact)
	case *matcher.StringMatcher_Prefix:
		return strings.HasPrefix(low(v), low(p.Prefix))
	case *matcher.StringMatcher_Suffix:
		return strings.HasSuffix(low(v), low(p.Suffix))
	case *matcher.StringMatcher_Contains:
		return strings.Contains(low(v), low(p.Contains))
	case *matcher.StringMatcher_SafeRegex:
		return fullMatch(p.SafeRegex.GetRegex(), v)
	}
	return false
}

func fullMatch(expr, v string) bool {
	re, err := regexp.Compile("^(?:" + expr + ")$")
	return err == nil && re.MatchString(v)
}
