package rules

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

// ServerScheme is "http" or "https" for a server that carries HTTP routes
// (protocol HTTP, HTTP2, GRPC, or HTTPS that terminates TLS), else "":
// TLS passthrough, TCP, TLS and the like carry no VirtualService HTTP
// routes (pilot's gateway.go builds HTTP route configurations only for
// those).
func ServerScheme(srv *apinet.Server) string {
	switch strings.ToUpper(srv.GetPort().GetProtocol()) {
	case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY":
		return "http"
	case "HTTPS":
		// (Mode's zero value is PASSTHROUGH: only a tls block that says so counts.)
		if m := srv.GetTls().GetMode(); srv.GetTls() != nil && (m == apinet.ServerTLSSettings_PASSTHROUGH || m == apinet.ServerTLSSettings_AUTO_PASSTHROUGH) {
			return ""
		}
		return "https"
	}
	return ""
}

// RouteConfig names the route configuration a server's routes go to, and
// false for servers whose routes no request reaches (an HTTP server that
// redirects every request to HTTPS, TLS passthrough, non-HTTP): HTTP
// servers on one port of one gateway workload share one route
// configuration ("http.PORT"), whatever Gateway they come from; each
// terminating HTTPS server has one of its own. The workload is told apart
// by the Gateway's selector.
func RouteConfig(g *networkingv1.Gateway, i int, srv *apinet.Server) (string, bool) {
	sel := formatSelector(g.Spec.Selector)
	port := srv.GetPort().GetNumber()
	switch ServerScheme(srv) {
	case "http":
		if srv.GetTls().GetHttpsRedirect() {
			return "", false
		}
		return fmt.Sprintf("http %s %d", sel, port), true
	case "https":
		return fmt.Sprintf("https %s %d %s/%s#%d", sel, port, g.Namespace, g.Name, i), true
	}
	return "", false
}

// ServerFor is one server of a Gateway that takes a VirtualService host,
// and the virtual hosts (domains) the host gets there.
type ServerFor struct {
	Server *apinet.Server
	Scheme string   // ServerScheme
	Hosts  []string // VirtualHostNames: "*" on a server of shop.example.com is shop.example.com
}

// ServersFor are the servers of gw whose routes requests reach (RouteConfig:
// not an HTTP server that redirects to HTTPS, nor TLS passthrough) and
// that take host for a VirtualService of namespace vsNS (an entry that
// lets vsNS in and overlaps host), HTTP ones first.
func ServersFor(gw *networkingv1.Gateway, host, vsNS string) []ServerFor {
	var out []ServerFor
	for i, srv := range gw.Spec.Servers {
		if _, ok := RouteConfig(gw, i, srv); !ok {
			continue
		}
		if vhs := VirtualHostNames(srv.Hosts, gw.Namespace, vsNS, host); len(vhs) > 0 {
			out = append(out, ServerFor{Server: srv, Scheme: ServerScheme(srv), Hosts: vhs})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Scheme < out[j].Scheme })
	return out
}

// ServerOnPortAdmits is true when a server of g on port takes host for a
// VirtualService of namespace vsNS (ServerHostAdmits).
func ServerOnPortAdmits(g *networkingv1.Gateway, port uint32, host, vsNS string) bool {
	return slices.ContainsFunc(g.Spec.Servers, func(s *apinet.Server) bool {
		return s.GetPort().GetNumber() == port && slices.ContainsFunc(s.Hosts, func(e string) bool {
			return ServerHostAdmits(e, host, vsNS, g.Namespace)
		})
	})
}

// ServerOnPortOverlaps is true when a server of g on port has a host that
// overlaps host, whatever its namespace part.
func ServerOnPortOverlaps(g *networkingv1.Gateway, port uint32, host string) bool {
	return slices.ContainsFunc(g.Spec.Servers, func(s *apinet.Server) bool {
		return s.GetPort().GetNumber() == port && slices.ContainsFunc(s.Hosts, func(e string) bool {
			return HostsOverlap(ParseServerHost(e).Host, host)
		})
	})
}

// formatSelector writes a selector as k=v,... sorted by key.
func formatSelector(sel map[string]string) string {
	keys := slices.Sorted(maps.Keys(sel))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + sel[k]
	}
	return strings.Join(parts, ",")
}
