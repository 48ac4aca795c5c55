package rules

import (
	"slices"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
)

// Server is one server of a route configuration, as pilot merges them:
// the Gateway it is of, its hosts ("[ns/]host"), its port number, and
// whether it terminates TLS or redirects plain HTTP to HTTPS.
type Server struct {
	Gateway       ObjectRef
	Hosts         []string
	Port          uint32
	TLS           bool // terminates TLS
	HTTPSRedirect bool
}

// BuildVirtualHosts is pilot's buildGatewayHTTPRouteConfig for servers
// (one route configuration): for each server in order, each
// VirtualService bound to its Gateway (oldest first) joins the virtual
// hosts of the hosts it shares with the server, its routes appended; a
// server with httpsRedirect makes its virtual hosts redirect plain
// HTTP; then each virtual host's catch-all routes move last.
func BuildVirtualHosts(servers []Server, vss []*networkingv1.VirtualService, wl Workload, sem Semantics) []envoy.VirtualHost {
	vss = append([]*networkingv1.VirtualService(nil), vss...)
	SortByCreation(vss)
	vss = visibleInOrder(vss, wl.Namespace, sem.Gateway)
	byName := map[string]*envoy.VirtualHost{}
	var order []string
	add := func(h string) *envoy.VirtualHost {
		if vh, ok := byName[h]; ok {
			return vh
		}
		vh := &envoy.VirtualHost{Name: h, Domains: []string{h}}
		byName[h] = vh
		order = append(order, h)
		return vh
	}
	for _, s := range servers {
		ref := s.Gateway
		redirect := s.HTTPSRedirect
		for _, vs := range vss {
			if !Binds(vs, ref) {
				continue
			}
			var hosts []string
			for _, h := range vs.Spec.Hosts {
				for _, vh := range VirtualHostNames(s.Hosts, s.Gateway.Namespace, vs.Namespace, strings.ToLower(h)) {
					if !contains(hosts, vh) {
						hosts = append(hosts, vh)
					}
				}
			}
			if len(hosts) == 0 {
				continue
			}
			routes := EnvoyRoutes(vs, ref, s.Port, s.TLS, wl, sem)
			if len(routes) == 0 {
				continue // pilot: "no routes matched", the VirtualService is left out
			}
			for _, h := range hosts {
				vh := add(h)
				vh.Routes = append(vh.Routes, routes...)
				vh.RequireTLS = vh.RequireTLS || redirect
			}
		}
		if redirect {
			for _, h := range s.Hosts {
				add(strings.ToLower(h)).RequireTLS = true
			}
		}
	}
	out := make([]envoy.VirtualHost, 0, len(order))
	for _, h := range order {
		vh := byName[h]
		vh.Routes = envoy.CatchAllLast(vh.Routes)
		out = append(out, *vh)
	}
	return out
}

// visibleInOrder is the order of pilot's VirtualServicesForGateway for a
// gateway workload in namespace wlNS (push_context.go): those exported to
// it from its own namespace first ("." or its name: private), then those
// of other namespaces exported to it by name, then the public ones
// (exportTo "*" or none) — Gateway API routes of its own namespace before
// the others ("consumer override"). Any other is not seen.
func visibleInOrder(vss []*networkingv1.VirtualService, wlNS string, gateway bool) []*networkingv1.VirtualService {
	var private, exported, own, public []*networkingv1.VirtualService
	for _, vs := range vss {
		to := vs.Spec.ExportTo
		switch {
		case len(to) == 0 || slices.Contains(to, "*"):
			if gateway && vs.Namespace == wlNS {
				own = append(own, vs)
			} else {
				public = append(public, vs)
			}
		case slices.Contains(to, "~"):
		case vs.Namespace == wlNS && (slices.Contains(to, ".") || slices.Contains(to, wlNS)):
			private = append(private, vs)
		case vs.Namespace != wlNS && slices.Contains(to, wlNS):
			exported = append(exported, vs)
		}
	}
	return slices.Concat(private, exported, own, public)
}
