package route

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// The report `url` prints (-o json is a contract): what each API finds
// of where its gateway and routes are reached.

// URLReport is everything `url` found; `-o json` prints it.
type URLReport struct {
	// API is the API of the gateway part: istio or gateway-api.
	API string `json:"api"`
	// Ingress is the gateway Service (with the Gateway API: the one Istio
	// deployed for the Gateway, when it was read).
	Ingress *IngressInfo `json:"ingress,omitempty"`
	// Gateway is the Gateway API Gateway, with the Gateway API.
	Gateway *GatewayInfo `json:"gateway,omitempty"`
	// Host, Port, SecurePort, TCPPort and GatewayURL are INGRESS_HOST,
	// INGRESS_PORT, SECURE_INGRESS_PORT, TCP_INGRESS_PORT and GATEWAY_URL.
	Host       string         `json:"host"`
	Port       int32          `json:"port,omitempty"`
	SecurePort int32          `json:"securePort,omitempty"`
	TCPPort    int32          `json:"tcpPort,omitempty"`
	GatewayURL string         `json:"gatewayURL,omitempty"`
	URLs       []string       `json:"urls"`
	Endpoints  []EndpointInfo `json:"endpoints"`
	Service    string         `json:"service,omitempty"` // namespace/name with SERVICE
	Routes     []RouteInfo    `json:"routes,omitempty"`
	Warnings   []string       `json:"warnings,omitempty"`

	// Found says which gateway was found when it was not the default
	// one (said on stderr).
	Found string `json:"-"`
	// Explain writes the plain kubectl look-ups that give the same
	// answer (--explain), once the report is complete; set by the API
	// that filled the gateway part.
	Explain func(*URLReport) string `json:"-"`
}

// IngressInfo names the gateway Service chosen.
type IngressInfo struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Type      string `json:"type"`
	Reason    string `json:"reason,omitempty"`
}

// EndpointInfo is one address of the gateway for one port role.
type EndpointInfo struct {
	Role   resolve.Role `json:"role"`
	URL    string       `json:"url"`
	Host   string       `json:"host"`
	Port   int32        `json:"port"`
	Source string       `json:"source"`
	Node   string       `json:"node,omitempty"`
}

// RouteInfo is one URL of SERVICE.
type RouteInfo struct {
	URL            string `json:"url"`
	HostHeader     string `json:"hostHeader,omitempty"`
	Curl           string `json:"curl"`
	VirtualService string `json:"virtualService,omitempty"`
	HTTPRoute      string `json:"httpRoute,omitempty"`
	Gateway        string `json:"gateway"`
	Listener       string `json:"listener,omitempty"`
}

// GatewayInfo is the Gateway API Gateway url reports on.
type GatewayInfo struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Class     string `json:"class"`
	// Address is status.addresses[0]; Reason why it is not used, when
	// it is not (pending, or only the in-cluster Service name).
	Address string `json:"address,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// HTTPListener and HTTPSListener name the listeners of INGRESS_PORT
	// and SECURE_INGRESS_PORT.
	HTTPListener  string `json:"httpListener,omitempty"`
	HTTPSListener string `json:"httpsListener,omitempty"`
}

// RouteInfoOf is the URL, Host header and curl command of a route.
// credentialNS is the namespace the gateway reads r's credential from:
// with the tool's certificate (--tls self-signed) its curl line trusts the
// tool's CA, read from there.
func RouteInfoOf(r Route, ep resolve.Endpoint, credentialNS string) RouteInfo {
	ri := RouteInfo{VirtualService: r.VirtualService, HTTPRoute: r.HTTPRoute, Gateway: r.Gateway, Listener: r.Listener, HostHeader: rules.HostHeader(r.Host)}
	ri.URL = ep.URL() + r.Path
	ri.Curl = resolve.Curl(ep, ri.HostHeader, r.Path)
	if r.Scheme == "https" && r.ServesToolCertificate() && strings.HasPrefix(ri.Curl, "curl ") {
		ri.Curl = "curl --cacert " + CACertFrom(credentialNS) + strings.TrimPrefix(ri.Curl, "curl")
	}
	return ri
}

// CACertFrom is a shell argument that reads the tool's CA certificate
// from its Secret in ns (bash's process substitution).
func CACertFrom(ns string) string {
	return fmt.Sprintf(`<(kubectl get secret -n %s %s -o jsonpath='{.data.tls\.crt}' | base64 -d)`, ns, CASecretName)
}

// FirstEndpoint is the endpoint INGRESS_HOST comes from.
func (rep *URLReport) FirstEndpoint() *EndpointInfo {
	for i := range rep.Endpoints {
		if rep.Endpoints[i].Host == rep.Host {
			return &rep.Endpoints[i]
		}
	}
	return nil
}

// NodeAddressType says whether a node address is its ExternalIP or InternalIP.
func NodeAddressType(in *resolve.Ingress, ep *EndpointInfo) corev1.NodeAddressType {
	for _, n := range in.Nodes() {
		for _, a := range n.Status.Addresses {
			if n.Name == ep.Node && a.Address == ep.Host {
				return a.Type
			}
		}
	}
	return corev1.NodeInternalIP
}
