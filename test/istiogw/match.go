package main

import (
	"regexp"
	"strings"

	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

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
