package explain

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// ParseRequest reads explain's URL and flags into the request to walk.
func ParseRequest(raw, host, method string, headers []string) (*route.ExplainInput, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("URL %q: expected http[s]://HOST[:PORT]/PATH[?QUERY]", raw)
	}
	in := &route.ExplainInput{URL: raw, Scheme: u.Scheme, Host: u.Hostname(), Authority: u.Host, Path: u.EscapedPath(), Query: u.RawQuery,
		Method: method, Header: http.Header{}}
	if in.Path == "" {
		in.Path = "/"
	}
	in.Port = 80
	if u.Scheme == "https" {
		in.Port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("URL %q: port %q: expected a number from 1 to 65535", raw, p)
		}
		in.Port = n
	}
	if host != "" {
		h, err := route.ParseHost(host)
		if err != nil || strings.Contains(h, "*") {
			return nil, fmt.Errorf("--host %q: expected a host name, as the Host header sends it", host)
		}
		in.Host, in.Authority = h, h
	}
	if in.Host == "" {
		return nil, fmt.Errorf("URL %q: expected a host", raw)
	}
	if !token(method) {
		return nil, fmt.Errorf("-X %q: expected an HTTP method, e.g. GET or POST", method)
	}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || !token(name) {
			return nil, fmt.Errorf("-H %q: expected 'Name: value'", h)
		}
		in.Header.Add(name, strings.TrimSpace(value))
	}
	return in, nil
}

// token is an HTTP token (RFC 9110): a method or header name.
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}
