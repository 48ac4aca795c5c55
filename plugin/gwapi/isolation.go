package gwapi

import (
	"strings"

	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// allowedByIsolation is Istio's hostnameAllowedByIsolation (the Gateway
// API's listener isolation): a route host through a wildcard or
// hostname-less listener is left out when another listener of the same
// port and protocol, as specific or more, takes it.
func allowedByIsolation(routeHost string, l gwv1.Listener, g *gwv1.Gateway) bool {
	our := strings.ToLower(string(ptr.Deref(l.Hostname, "")))
	if our != "" && !strings.HasPrefix(our, "*") {
		return true
	}
	if our != "" && !hostMatches(routeHost, our) {
		return false
	}
	for _, o := range g.Spec.Listeners {
		check := strings.ToLower(string(ptr.Deref(o.Hostname, "")))
		if o.Name == l.Name || o.Port != l.Port || o.Protocol != l.Protocol || check == our {
			continue
		}
		if len(our) > len(check) {
			continue
		}
		if hostSubsetOf(routeHost, check) {
			return false
		}
	}
	return true
}

// hostMatches is Istio's host.Name.Matches: the two names share a name.
func hostMatches(n, o string) bool {
	nw, ow := strings.HasPrefix(n, "*"), strings.HasPrefix(o, "*")
	switch {
	case nw && ow:
		if len(n) < len(o) {
			return strings.HasSuffix(o[1:], n[1:])
		}
		return strings.HasSuffix(n[1:], o[1:])
	case nw:
		return strings.HasSuffix(o, n[1:])
	case ow:
		return strings.HasSuffix(n, o[1:])
	}
	return n == o
}

// hostSubsetOf is Istio's host.Name.SubsetOf: every name of n is o's.
func hostSubsetOf(n, o string) bool {
	nw, ow := strings.HasPrefix(n, "*"), strings.HasPrefix(o, "*")
	switch {
	case nw && ow:
		return len(n) >= len(o) && strings.HasSuffix(n[1:], o[1:])
	case nw:
		return false
	case ow:
		return strings.HasSuffix(n, o[1:])
	}
	return n == o
}
