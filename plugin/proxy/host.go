package proxy

import (
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// proxyHost is what the proxy sends: a Host header (or the client's) and
// the routes it reaches.
type proxyHost struct {
	// Host is the Host header; "" keeps the client's (a "*" route).
	Host string
	// Routes are the routes of the Service reached with Host and the scheme.
	Routes []route.Route
	// Note explains a choice the user did not make (a wildcard's stand-in).
	Note string
}

// chooseHost picks the Host header for the routes of service (scheme http,
// or https with --https) and the --host flag; kinds names the route
// objects read (VirtualService, HTTPRoute), for "no route". Pure.
func chooseHost(service string, routes []route.Route, flagHost string, https bool, kinds string) (proxyHost, error) {
	scheme := "http"
	if https {
		scheme = "https"
	}
	if service == "" {
		return proxyHost{Host: flagHost}, nil
	}
	var same, other []route.Route
	for _, r := range routes {
		if r.Scheme == scheme {
			same = append(same, r)
		} else {
			other = append(other, r)
		}
	}
	if len(same) == 0 {
		switch {
		case len(other) > 0 && https:
			return proxyHost{}, fmt.Errorf("service %q has no https route through a gateway, only http ones: leave out --https", service)
		case len(other) > 0:
			return proxyHost{}, fmt.Errorf("service %q has no http route through a gateway, only https ones: add --https", service)
		default:
			return proxyHost{}, fmt.Errorf("no %s bound to a gateway routes to service %q: expose it first with `kubectl expose-gw %s`, or give --host without SERVICE", kinds, service, service)
		}
	}
	hosts := routeHosts(same)
	if flagHost != "" {
		var picked []route.Route
		for _, r := range same {
			if rules.HostCovers(r.Host, flagHost) {
				picked = append(picked, r)
			}
		}
		if len(picked) == 0 {
			return proxyHost{}, fmt.Errorf("--host %q matches no route host of service %q: expected one of %s", flagHost, service, strings.Join(hosts, ", "))
		}
		return proxyHost{Host: flagHost, Routes: picked}, nil
	}
	if len(hosts) > 1 {
		return proxyHost{}, fmt.Errorf("service %q has routes for several hosts (%s): pick one with --host", service, strings.Join(hosts, ", "))
	}
	ph := proxyHost{Host: rules.HostHeader(hosts[0]), Routes: same}
	if strings.HasPrefix(hosts[0], "*.") {
		ph.Note = fmt.Sprintf("the route host is the wildcard %s: sending Host %s (choose another with --host)", hosts[0], ph.Host)
	}
	return ph, nil
}

// routeHosts are the distinct hosts of routes, sorted.
func routeHosts(routes []route.Route) []string {
	out := distinct(routes, func(r route.Route) string { return r.Host })
	sort.Strings(out)
	return out
}

// routePaths are the distinct paths of routes, in order.
func routePaths(routes []route.Route) []string {
	return distinct(routes, func(r route.Route) string { return r.Path })
}

// distinct is key of each of s, each value once, in order.
func distinct[T any](s []T, key func(T) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if k := key(x); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// parseProxyHost checks a proxy --host value as an HTTP Host header (RFC
// 9110: uri-host [":" port], the uri-host a reg-name, an IPv4 address or
// an [IPv6] address) that the proxy can send as the route host: without a
// port (it is sent to the gateway's port, and as SNI with --https) and
// without a wildcard. Pure.
func parseProxyHost(h string) error {
	host, port, hasPort := h, "", false
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		host, port, hasPort = h[:i], h[i+1:], true
	}
	if !validURIHost(host) || strings.Trim(port, "0123456789") != "" {
		return fmt.Errorf("invalid --host %q: expected an HTTP host: a DNS name, an IPv4 address or an [IPv6] address, e.g. flask.example.com", h)
	}
	if hasPort || strings.Contains(h, "*") {
		return fmt.Errorf("invalid --host %q: expected a host name without a port, scheme or wildcard, e.g. flask.example.com", h)
	}
	return nil
}

// validURIHost is RFC 3986's host: a non-empty reg-name (unreserved
// characters, %XX escapes and sub-delims), an IPv4 address or an IPv6
// address in brackets.
func validURIHost(h string) bool {
	if strings.HasPrefix(h, "[") {
		ip := net.ParseIP(strings.TrimSuffix(h[1:], "]"))
		return strings.HasSuffix(h, "]") && ip != nil && ip.To4() == nil
	}
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~!$&'()*+,;=", c) >= 0:
		case c == '%' && i+2 < len(h) && isHexDigit(h[i+1]) && isHexDigit(h[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
