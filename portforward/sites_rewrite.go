package portforward

import (
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// rewriteAnswer points what an answer says about the sites' route hosts
// back at their local names: a Location (a redirect from one site to
// another, or to itself) and the Domain of a Set-Cookie (a cookie for
// example.com covers every *.example.com.localhost site). Anything about
// other hosts is left as it is.
func (s *Sites) rewriteAnswer(resp *http.Response) {
	h := resp.Header
	if loc := h.Get("Location"); loc != "" && !upgrade(loc, resp.Request) {
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

// upgrade is true for a Location that sends the request just made to the
// same host, path and query under the other scheme (an application that
// forces HTTPS on an http route): pointing it back at the proxy would
// loop, so the browser is let go where the application asked.
func upgrade(loc string, req *http.Request) bool {
	u, err := url.Parse(loc)
	if err != nil || req == nil || u.Scheme == req.URL.Scheme {
		return false
	}
	return strings.EqualFold(u.Hostname(), req.URL.Hostname()) && u.Path == req.URL.Path && u.RawQuery == req.URL.RawQuery
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
		if d == "" || !s.covers(d) || publicSuffix(d) {
			continue // a browser refuses a cookie for a public suffix: so does its .localhost twin
		}
		parts[i+1] = name + "=" + d + LocalSuffix
	}
	return strings.Join(parts, ";")
}

// publicSuffix is true for a domain under which anyone may register
// names (com, co.uk, github.io): a cookie for it is refused by browsers.
func publicSuffix(d string) bool {
	_, err := publicsuffix.EffectiveTLDPlusOne(d)
	return err != nil
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
