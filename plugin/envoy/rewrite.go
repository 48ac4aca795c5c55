package envoy

import (
	"net"
	"regexp"
	"strconv"
	"strings"
)

// UpstreamPath is the path (and ?query) the backend receives from a
// forwarding route: prefix_rewrite swaps the matched prefix (the whole
// path for exact and regex matches); regex_rewrite replaces every match.
func UpstreamPath(r Route, req Request) string {
	f := r.Forward
	if f == nil {
		return req.Path + query(req.Query)
	}
	return rewritePath(r.Match, req.Path, f.PrefixRewrite, f.HasRegexRewrite, f.RegexPattern, f.RegexSubstitution) + query(req.Query)
}

func rewritePath(m Match, path, prefix string, hasRegex bool, pattern, sub string) string {
	if hasRegex {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return path
		}
		return re.ReplaceAllString(path, re2Substitution(sub))
	}
	if prefix == "" {
		return path
	}
	switch m.Kind {
	case Prefix, SeparatedPrefix:
		return prefix + path[len(m.Path):]
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

// Location is where a redirecting route (or a virtual host that requires
// TLS, when r is nil) sends the client, and the status code, as Envoy
// builds it from the request's Host header (req.Host as sent).
func Location(r *Route, req Request) (string, int) {
	if r == nil || r.Redirect == nil {
		return "https://" + stripDefaultPort(req.Host) + req.Path + query(req.Query), 301
	}
	a := r.Redirect
	scheme := "http"
	if req.TLS {
		scheme = "https"
	}
	host := req.Host
	if a.Scheme != "" {
		scheme, host = a.Scheme, stripDefaultPort(host)
	}
	if a.Host != "" {
		host = a.Host
	}
	if a.Port != 0 {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = net.JoinHostPort(host, strconv.Itoa(int(a.Port)))
	}
	path := req.Path
	switch {
	case a.Path != "":
		path = a.Path
	case a.HasPrefix:
		path = rewritePath(r.Match, req.Path, a.PrefixRewrite, false, "", "")
	}
	q := query(req.Query)
	if a.StripQuery {
		q = ""
	}
	code := a.Code
	if code == 0 {
		code = 301
	}
	return scheme + "://" + host + path + q, code
}

func stripDefaultPort(host string) string {
	if h, p, err := net.SplitHostPort(host); err == nil && (p == "80" || p == "443") {
		return h
	}
	return host
}

// HostOnly is a Host header without its port: Istio's gateways match
// virtual hosts ignoring the port.
func HostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}
