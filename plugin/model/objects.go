package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Ownership label of every object the tool creates.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "kubectl-expose-gw"
	FieldManager   = "kubectl-expose-gw"
	// DefaultGatewayName is the tool's Gateway for the default selector.
	DefaultGatewayName = "expose-gw"
)

// API version and kinds written (the typed clients strip them on read).
var (
	GatewayKind        = networkingv1.SchemeGroupVersion.WithKind("Gateway")
	VirtualServiceKind = networkingv1.SchemeGroupVersion.WithKind("VirtualService")
)

// IsManaged is true for objects the tool made.
func IsManaged(m metav1.Object) bool { return m.GetLabels()[ManagedByLabel] == ManagedBy }

func managedLabels() map[string]string { return map[string]string{ManagedByLabel: ManagedBy} }

// SetKinds fills apiVersion/kind, which the typed clients leave empty.
func SetKinds(gw *networkingv1.Gateway, vss ...*networkingv1.VirtualService) {
	if gw != nil {
		gw.SetGroupVersionKind(GatewayKind)
	}
	for _, vs := range vss {
		vs.SetGroupVersionKind(VirtualServiceKind)
	}
}

// GatewayName is the tool's own Gateway name for a selector.
func GatewayName(sel map[string]string) string {
	if maps.Equal(sel, map[string]string{"istio": "ingressgateway"}) {
		return DefaultGatewayName
	}
	return shorten(DefaultGatewayName+"-"+slug(FormatSelector(sel)), 63)
}

// VirtualServiceName is the tool's VirtualService name for a host on a
// gateway: expose-gw-HOST on the tool's default Gateway of the namespace,
// else expose-gw-HOST[-GWNAMESPACE]-GWNAME-HASH, HASH a short hash of the
// host and the gateway (namespace/name), so that no two hosts and gateways
// get one name ("a.com-x" on expose-gw, "a.com" on x). HOST is written by
// hostSlug. Names written by earlier versions (no HASH) stay in use: the
// plan finds a VirtualService by what it binds, not by its name.
func VirtualServiceName(host string, gw ObjectRef, ns string) string {
	name := DefaultGatewayName + "-" + hostSlug(host)
	if gw.Name != DefaultGatewayName || gw.Namespace != ns {
		if gw.Namespace != ns {
			name += "-" + gw.Namespace
		}
		name += "-" + gw.Name + "-" + shortHash(host+"\x00"+gw.Namespace+"/"+gw.Name)
	}
	return shorten(name, 253)
}

// wildcardLabel stands for the "*" of a wildcard host in names, and
// escapeLabel marks a host whose first label could be read as one.
const (
	wildcardLabel = "any"
	escapeLabel   = "x--"
)

// hostSlug writes a host as a name part, one to one: "*" reads "any"
// ("*.example.com" is "any.example.com"), and a DNS name whose first label
// is "any" or starts with "x--" gets an "x--" in front ("any.example.com"
// is "x--any.example.com"), so no DNS name reads as a wildcard.
func hostSlug(host string) string {
	if host == "*" || strings.HasPrefix(host, "*.") {
		return wildcardLabel + host[1:]
	}
	first, _, _ := strings.Cut(host, ".")
	if first == wildcardLabel || strings.HasPrefix(first, escapeLabel) {
		return escapeLabel + host
	}
	return host
}

// slug keeps lower-case letters, digits and dashes.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

func shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return strings.TrimRight(s[:max-9], "-.") + "-" + shortHash(s)
}

// shortHash is 8 hex digits of the SHA-256 of s.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

// Binds is true when vs routes host on gw.
func Binds(vs *networkingv1.VirtualService, host string, gw ObjectRef) bool {
	return slices.Contains(vs.Spec.Hosts, host) && rules.Binds(vs, gw)
}

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
		part := slug(s.Credential)
		if part != s.Credential {
			part = strings.TrimPrefix(part+"-"+shortHash(s.Credential), "-")
		}
		return shorten(fmt.Sprintf("https-%d-%s", s.Port, part), 63)
	case s.HTTPSRedirect:
		return fmt.Sprintf("http-%d-redirect", s.Port)
	default:
		return fmt.Sprintf("http-%d", s.Port)
	}
}

// legacyName is the name versions before the hash gave the server.
func (s ServerSpec) legacyName() string {
	if s.Protocol == "HTTPS" {
		return shorten(fmt.Sprintf("https-%d-%s", s.Port, slug(s.Credential)), 63)
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

// NewGateway is the tool's Gateway with servers for specs.
func NewGateway(ref ObjectRef, sel map[string]string, specs []ServerSpec) *networkingv1.Gateway {
	gw := &networkingv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: ref.Name, Namespace: ref.Namespace, Labels: managedLabels()},
		Spec:       apinet.Gateway{Selector: maps.Clone(sel)},
	}
	gw.SetGroupVersionKind(GatewayKind)
	EnsureServers(gw, specs)
	return gw
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
		n = shorten(fmt.Sprintf("%s-%d", name, i), 63)
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

// NewVirtualService is the tool's VirtualService for host on gateways.
func NewVirtualService(name, ns, host string, gateways []string, routes []*apinet.HTTPRoute) *networkingv1.VirtualService {
	vs := &networkingv1.VirtualService{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: managedLabels()},
		Spec:       apinet.VirtualService{Hosts: []string{host}, Gateways: gateways, Http: routes},
	}
	vs.SetGroupVersionKind(VirtualServiceKind)
	return vs
}
