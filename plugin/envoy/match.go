package envoy

import (
	"regexp"
	"slices"
	"strings"
)

// VirtualHostFor is the virtual host Envoy picks for host (port already
// stripped: Istio sets ignore_port_in_host_matching): an exact domain,
// then the longest "*.suffix" domain, then the longest "prefix*", then
// "*"; domains compare case-insensitively. -1 when none.
func VirtualHostFor(vhs []VirtualHost, host string) int {
	host = strings.ToLower(host)
	for i, vh := range vhs {
		for _, d := range vh.Domains {
			if strings.ToLower(d) == host {
				return i
			}
		}
	}
	best, longest := -1, 0
	for pass := 0; pass < 2 && best < 0; pass++ {
		for i, vh := range vhs {
			for _, d := range vh.Domains {
				d = strings.ToLower(d)
				if len(d) < 2 || len(host) < len(d) {
					continue
				}
				suffix := pass == 0 && d[0] == '*' && strings.HasSuffix(host, d[1:])
				prefix := pass == 1 && d[len(d)-1] == '*' && strings.HasPrefix(host, d[:len(d)-1])
				if (suffix || prefix) && len(d) > longest {
					best, longest = i, len(d)
				}
			}
		}
	}
	if best >= 0 {
		return best
	}
	for i, vh := range vhs {
		for _, d := range vh.Domains {
			if d == "*" {
				return i
			}
		}
	}
	return -1
}

// Matching are the indexes of the routes of vh whose match holds for req,
// in order: Envoy takes the first; the others are shadowed by it.
func Matching(vh VirtualHost, req Request) []int {
	var out []int
	for i, r := range vh.Routes {
		if r.Match.Holds(req) {
			out = append(out, i)
		}
	}
	return out
}

// Holds is whether m matches req.
func (m Match) Holds(req Request) bool {
	path := req.Path
	eq := func(a, b string) bool { return a == b || m.IgnoreCase && strings.EqualFold(a, b) }
	hasPrefix := func(s, p string) bool { return len(s) >= len(p) && eq(s[:len(p)], p) }
	switch m.Kind {
	case Prefix:
		if !hasPrefix(path, m.Path) {
			return false
		}
	case Exact:
		if !eq(path, m.Path) {
			return false
		}
	case SeparatedPrefix:
		if !hasPrefix(path, m.Path) || len(path) > len(m.Path) && path[len(m.Path)] != '/' && m.Path != "/" {
			return false
		}
	case Regex:
		if !fullMatch(m.Path, path) {
			return false
		}
	}
	for _, h := range m.Headers {
		if !h.holds(req) {
			return false
		}
	}
	for _, q := range m.Query {
		if !q.holds(req.Query) {
			return false
		}
	}
	return true
}

// CatchAll is Istio's route.IsCatchAllRoute: a prefix "/" or regex ".*"
// with no header or query match. Istio moves these after the other
// routes of a merged virtual host.
func (r Route) CatchAll() bool {
	m := r.Match
	path := m.Kind == Prefix && m.Path == "/" || m.Kind == SeparatedPrefix && m.Path == "/" || m.Kind == Regex && m.Path == ".*"
	return path && len(m.Headers) == 0 && len(m.Query) == 0
}

// CatchAllLast is Istio's route.SortVHostRoutes: the catch-all routes of a
// virtual host moved after all others, each group in its order.
func CatchAllLast(routes []Route) []Route {
	out := make([]Route, 0, len(routes))
	var last []Route
	for _, r := range routes {
		if r.CatchAll() {
			last = append(last, r)
		} else {
			out = append(out, r)
		}
	}
	return append(out, last...)
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

func (h HeaderMatch) holds(req Request) bool {
	v, ok := headerValue(req, h.Name)
	if !ok && h.MissingAsEmpty {
		v, ok = "", true
	}
	res := ok && (h.Match.Kind == StrPresent || h.Match.holds(v))
	return res != h.Invert
}

func (q QueryMatch) holds(raw string) bool {
	var vals []string
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k == q.Name && kv != "" {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return false
	}
	return q.Match.Kind == StrPresent || q.Match.holds(vals[0])
}

func (s StringMatch) holds(v string) bool {
	a, b := v, s.Value
	if s.IgnoreCase {
		a, b = strings.ToLower(a), strings.ToLower(b)
	}
	switch s.Kind {
	case StrExact:
		return a == b
	case StrPrefix:
		return strings.HasPrefix(a, b)
	case StrSuffix:
		return strings.HasSuffix(a, b)
	case StrContains:
		return strings.Contains(a, b)
	case StrRegex:
		return fullMatch(s.Value, v)
	case StrPresent:
		return true
	}
	return false
}

func fullMatch(expr, v string) bool {
	re, err := regexp.Compile("^(?:" + expr + ")$")
	return err == nil && re.MatchString(v)
}

func query(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

// URI is the request's path and ?query.
func (r Request) URI() string { return r.Path + query(r.Query) }

// FilterChainFor is the filter chain Envoy picks for a TLS connection's
// SNI, of chains given by their server names ("*" or none: a chain
// without names): a name equal to sni, then the longest "*.suffix" name
// that sni ends with, then a chain without names. -1 when none.
func FilterChainFor(chains [][]string, sni string) int {
	sni = strings.ToLower(sni)
	best, longest := -1, 0
	for i, names := range chains {
		for _, h := range names {
			h = strings.ToLower(h)
			switch {
			case h == sni:
				return i
			case strings.HasPrefix(h, "*.") && strings.HasSuffix(sni, h[1:]) && len(h) > longest:
				best, longest = i, len(h)
			}
		}
	}
	if best >= 0 {
		return best
	}
	for i, names := range chains {
		if len(names) == 0 || slices.Contains(names, "*") {
			return i
		}
	}
	return -1
}
