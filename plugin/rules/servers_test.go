package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func srv(n uint32, proto string, tls *apinet.ServerTLSSettings, hosts ...string) *apinet.Server {
	return &apinet.Server{Port: &apinet.Port{Number: n, Protocol: proto, Name: "p"}, Hosts: hosts, Tls: tls}
}

// Which server carries a VirtualService's HTTP routes: istio.io's Gateway
// reference (Port.protocol "MUST be one of HTTP|HTTPS|GRPC|HTTP2|MONGO|TCP|TLS";
// ServerTLSSettings: "PASSTHROUGH: The SNI string presented by the client
// will be used as the match criterion in a VirtualService TLS route";
// httpsRedirect: "If set to true, the load balancer will send a 301
// redirect for all http connections").
func TestServerSchemeAndRouteConfig(t *testing.T) {
	simple := &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_SIMPLE, CredentialName: "c"}
	pass := &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_PASSTHROUGH}
	redirect := &apinet.ServerTLSSettings{HttpsRedirect: true}
	g := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: "istio-system", Name: "g"},
		Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"}}}
	cases := []struct {
		name   string
		s      *apinet.Server
		scheme string
		config string
	}{
		{"HTTP", srv(80, "HTTP", nil, "*"), "http", "http istio=ingressgateway 80"},
		{"protocol is case-insensitive; HTTP2 and GRPC carry HTTP routes", srv(80, "http2", nil, "*"), "http", "http istio=ingressgateway 80"},
		{"GRPC", srv(80, "GRPC", nil, "*"), "http", "http istio=ingressgateway 80"},
		{"HTTP redirecting to HTTPS: no request reaches its routes", srv(80, "HTTP", redirect, "*"), "http", ""},
		{"HTTPS terminating TLS: a route configuration of its own", srv(443, "HTTPS", simple, "*"), "https", "https istio=ingressgateway 443 istio-system/g#0"},
		{"HTTPS passthrough: TLS routes only", srv(443, "HTTPS", pass, "*"), "", ""},
		{"TCP", srv(31400, "TCP", nil, "*"), "", ""},
		{"TLS", srv(15443, "TLS", pass, "*"), "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.scheme, ServerScheme(c.s))
			cfg, ok := RouteConfig(g, 0, c.s)
			assert.Equal(t, c.config, cfg)
			assert.Equal(t, c.config != "", ok)
		})
	}
}

func TestServersFor(t *testing.T) {
	simple := &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_SIMPLE, CredentialName: "c"}
	g := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: "istio-system", Name: "g"},
		Spec: apinet.Gateway{Servers: []*apinet.Server{
			srv(443, "HTTPS", simple, "app/*.example.com"), srv(80, "HTTP", nil, "*"), srv(8080, "HTTP", nil, "prod/*"),
		}}}
	ports := func(host, ns string) []uint32 {
		var out []uint32
		for _, s := range ServersFor(g, host, ns) {
			out = append(out, s.Server.GetPort().GetNumber())
		}
		return out
	}
	assert.Equal(t, []uint32{80, 443}, ports("shop.example.com", "app"), "http first")
	assert.Equal(t, []uint32{80}, ports("shop.example.com", "dev"), "app/ lets only app in")
	assert.Equal(t, []uint32{80, 8080}, ports("web.io", "prod"))
	assert.True(t, ServerOnPortAdmits(g, 443, "shop.example.com", "app"))
	assert.False(t, ServerOnPortAdmits(g, 443, "shop.example.com", "dev"))
	assert.True(t, ServerOnPortOverlaps(g, 443, "*"), "overlap, whatever the namespace")
}
