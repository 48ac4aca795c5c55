package istio

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	apinet "istio.io/api/networking/v1"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// ServerSpec is one server the tool needs on a Gateway for a host.
type ServerSpec struct {
	Port          uint32
	Protocol      string // HTTP or HTTPS
	Host          string
	HTTPSRedirect bool   // HTTP only
	Credential    string // HTTPS only: tls.credentialName
	// Namespace is the namespace of the VirtualService that binds Host:
	// a server host "ns/host" admits only those of ns. Empty is the
	// Gateway's own namespace.
	Namespace string
}

// Name is the server (and port) name the tool gives it: http-PORT,
// http-PORT-redirect, or https-PORT-CREDENTIAL with CREDENTIAL written by
// slug, plus a short hash of the credential when slug changed it, so that
// no two credentials get one name (example.com-tls and example-com-tls).
// Names are DNS labels (lower-case letters, digits, '-', at most 63).
func (s ServerSpec) Name() string {
	switch {
	case s.Protocol == "HTTPS":
		part := route.Slug(s.Credential)
		if part != s.Credential {
			part = strings.TrimPrefix(part+"-"+route.ShortHash(s.Credential), "-")
		}
		return route.Shorten(fmt.Sprintf("https-%d-%s", s.Port, part), 63)
	case s.HTTPSRedirect:
		return fmt.Sprintf("http-%d-redirect", s.Port)
	default:
		return fmt.Sprintf("http-%d", s.Port)
	}
}

// legacyName is the name versions before the hash gave the server.
func (s ServerSpec) legacyName() string {
	if s.Protocol == "HTTPS" {
		return route.Shorten(fmt.Sprintf("https-%d-%s", s.Port, route.Slug(s.Credential)), 63)
	}
	return s.Name()
}

func (s ServerSpec) build() *apinet.Server {
	srv := &apinet.Server{
		Name:  s.Name(),
		Port:  &apinet.Port{Number: s.Port, Protocol: s.Protocol, Name: s.Name()},
		Hosts: []string{s.Host},
	}
	if s.Protocol == "HTTPS" {
		srv.Tls = &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_SIMPLE, CredentialName: s.Credential}
	} else if s.HTTPSRedirect {
		srv.Tls = &apinet.ServerTLSSettings{HttpsRedirect: true}
	}
	return srv
}

// namespaceOf is the namespace of the VirtualService s is for on a Gateway
// of gwNS.
func (s ServerSpec) namespaceOf(gwNS string) string {
	if s.Namespace == "" {
		return gwNS
	}
	return s.Namespace
}

// sameSettings is true when srv has s's protocol, port number (any port
// when s.Port is 0, not known yet) and TLS settings.
func sameSettings(srv *apinet.Server, s ServerSpec) bool {
	if !strings.EqualFold(srv.GetPort().GetProtocol(), s.Protocol) {
		return false
	}
	if s.Port != 0 && srv.GetPort().GetNumber() != s.Port {
		return false
	}
	if s.Protocol == "HTTPS" && srv.GetTls().GetCredentialName() != s.Credential {
		return false
	}
	if s.Protocol == "HTTP" && srv.GetTls().GetHttpsRedirect() != s.HTTPSRedirect {
		return false
	}
	return true
}

// serves is true when srv of a Gateway of gwNS accepts s: same settings
// and a host entry that admits s's host from s's namespace.
func serves(srv *apinet.Server, s ServerSpec, gwNS string) bool {
	ns := s.namespaceOf(gwNS)
	return sameSettings(srv, s) && slices.ContainsFunc(srv.Hosts, func(e string) bool { return rules.ServerHostAdmits(e, s.Host, ns, gwNS) })
}

// GatewayServes is true when gw selects sel (if sel is not nil) and has a
// server for every spec, one whose hosts admit the spec's namespace.
func GatewayServes(gw *networkingv1.Gateway, sel map[string]string, specs []ServerSpec) bool {
	if sel != nil && !maps.Equal(gw.Spec.Selector, sel) {
		return false
	}
	for _, s := range specs {
		if !slices.ContainsFunc(gw.Spec.Servers, func(srv *apinet.Server) bool { return serves(srv, s, gw.Namespace) }) {
			return false
		}
	}
	return true
}

// namespaceRefusal is, for a Gateway that does not serve specs, a server
// host entry that would serve one but for its namespace part, and that
// spec; ok is false when there is none.
func namespaceRefusal(gw *networkingv1.Gateway, specs []ServerSpec) (entry string, port uint32, s ServerSpec, ok bool) {
	for _, s := range specs {
		if slices.ContainsFunc(gw.Spec.Servers, func(srv *apinet.Server) bool { return serves(srv, s, gw.Namespace) }) {
			continue
		}
		for _, srv := range gw.Spec.Servers {
			if !sameSettings(srv, s) {
				continue
			}
			for _, e := range srv.Hosts {
				if rules.ServerHostServes(e, s.Host) {
					return e, srv.GetPort().GetNumber(), s, true
				}
			}
		}
	}
	return "", 0, ServerSpec{}, false
}

// EnsureServers adds what specs need to gw: the host to the tool's server
// for the spec's settings (named as Name, or as an earlier version named
// it), or a new server, whose name no other server of gw has. A host is
// never added to a server of other settings (another credential). It
// reports whether gw changed.
func EnsureServers(gw *networkingv1.Gateway, specs []ServerSpec) bool {
	changed := false
	for _, s := range specs {
		if slices.ContainsFunc(gw.Spec.Servers, func(srv *apinet.Server) bool { return serves(srv, s, gw.Namespace) }) {
			continue
		}
		changed = true
		i := slices.IndexFunc(gw.Spec.Servers, func(srv *apinet.Server) bool {
			return (srv.GetName() == s.Name() || srv.GetName() == s.legacyName()) && sameSettings(srv, s)
		})
		if i >= 0 {
			gw.Spec.Servers[i].Hosts = append(gw.Spec.Servers[i].Hosts, s.Host)
			continue
		}
		srv := s.build()
		srv.Name = freeServerName(gw, srv.Name)
		srv.Port.Name = srv.Name
		gw.Spec.Servers = append(gw.Spec.Servers, srv)
	}
	return changed
}

// freeServerName is name, or name-2, name-3... the first that no server of
// gw has as its name or port name (Istio wants both unique).
func freeServerName(gw *networkingv1.Gateway, name string) string {
	taken := func(n string) bool {
		return slices.ContainsFunc(gw.Spec.Servers, func(srv *apinet.Server) bool {
			return srv.GetName() == n || srv.GetPort().GetName() == n
		})
	}
	for i, n := 2, name; ; i++ {
		if !taken(n) {
			return n
		}
		n = route.Shorten(fmt.Sprintf("%s-%d", name, i), 63)
	}
}

// PruneGateway drops from gw's server hosts those no host in used needs
// and servers left without hosts. It reports whether gw changed. The hosts
// in used come without their VirtualService's namespace, so an entry
// "ns/host" is kept as long as a host in used matches host (ServerHostServes).
func PruneGateway(gw *networkingv1.Gateway, used []string) bool {
	changed := false
	servers := gw.Spec.Servers[:0]
	for _, srv := range gw.Spec.Servers {
		hosts := srv.Hosts[:0]
		for _, h := range srv.Hosts {
			if slices.ContainsFunc(used, func(u string) bool { return rules.ServerHostServes(h, u) }) {
				hosts = append(hosts, h)
			} else {
				changed = true
			}
		}
		srv.Hosts = hosts
		if len(hosts) > 0 {
			servers = append(servers, srv)
		}
	}
	gw.Spec.Servers = servers
	return changed
}
