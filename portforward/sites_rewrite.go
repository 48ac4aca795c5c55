package portforward

import (
	"net/http"
	"net/url"
	"strings"
)

// rewriteAnswer points what an answer says about the sites' route hosts
// back at their local names: a Location (a redirect from one site to
// another, or to itself) and the Domain of a Set-Cookie (a cookie for
// example.com covers every *.example.com.localhost site). Anything about
// other hosts is left as it is.
func (s *Sites) rewriteAnswer(h http.Header) {
	if loc := h.Get("Location"); loc != "" {
		h.Set("Location", s.localLocation(loc))
	}
	if cookies := h.Values("Set-Cookie"); len(cookies) > 0 {
		out := make([]string, len(cookies))
		for i, c := range cookies {
			out[i] = s.localCookie(c)
		}
		h["Set-Cookie"] = out
	}
}

// localLocation is loc with a site's route host (http or https, any port)
// replaced by the site's local URL; relative locations stay.
func (s *Sites) localLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Host == "" || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
		return loc
	}
	name := u.Hostname()
	if s.lookup(name) == nil {
		return loc
	}
	u.Scheme = "http"
	u.Host = LocalName(name) + ":" + s.port
	return u.String()
}

// localCookie is a Set-Cookie value whose Domain attribute, when it names
// a site's host or a parent of one, is moved under .localhost; every other
// byte stays (attributes net/http does not know included).
func (s *Sites) localCookie(c string) string {
	parts := strings.Split(c, ";")
	for i, p := range parts[1:] {
		name, value, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "domain") {
			continue
		}
		d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(value), "."))
		if d == "" || !s.covers(d) {
			continue
		}
		parts[i+1] = name + "=" + d + LocalSuffix
	}
	return strings.Join(parts, ";")
}

// covers is true when domain is a site's route host or a parent of one.
func (s *Sites) covers(domain string) bool {
	match := func(host string) bool {
		host = strings.TrimPrefix(host, "*.")
		return host == domain || strings.HasSuffix(host, "."+domain)
	}
	for h := range s.exact {
		if match(h) {
			return true
		}
	}
	for _, x := range s.wild {
		if match(x.host) {
			return true
		}
	}
	return false
}

// rewriteOrigin sends a request's Origin and Referer as the browser would
// on the route host itself (scheme://HOST), when they name a site's local
// name: an application that checks them (CSRF) sees its own host.
func (s *Sites) rewriteOrigin(h http.Header) {
	for _, k := range []string{"Origin", "Referer"} {
		v := h.Get(k)
		if v == "" || v == "null" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" {
			continue
		}
		x := s.siteOf(u.Host)
		if x == nil || x == s.any || u.Port() != s.port {
			continue
		}
		u.Scheme = x.scheme
		u.Host = s.upstreamHost(x, u.Host)
		h.Set(k, u.String())
	}
}
