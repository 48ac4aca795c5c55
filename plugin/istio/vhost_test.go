package istio

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// aged is v created minutes after t0 in ns.
func aged(v *networkingv1.VirtualService, ns string, minutes int) *networkingv1.VirtualService {
	v.Namespace = ns
	v.CreationTimestamp = metav1.NewTime(t0.Add(time.Duration(minutes) * time.Minute))
	return v
}

func gatewayAged(g *networkingv1.Gateway, minutes int) *networkingv1.Gateway {
	g.CreationTimestamp = metav1.NewTime(t0.Add(time.Duration(minutes) * time.Minute))
	return g
}

func gwWith(ns, name string, servers ...*apinet.Server) *networkingv1.Gateway {
	return &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"}, Servers: servers}}
}

func httpServer(hosts ...string) *apinet.Server {
	return &apinet.Server{Port: &apinet.Port{Number: 80, Protocol: "HTTP", Name: "http"}, Hosts: hosts}
}

func httpsServer(cred string, hosts ...string) *apinet.Server {
	return &apinet.Server{Port: &apinet.Port{Number: 443, Protocol: "HTTPS", Name: "https-" + cred}, Hosts: hosts,
		Tls: &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_SIMPLE, CredentialName: cred}}
}

func redirectServer(hosts ...string) *apinet.Server {
	s := httpServer(hosts...)
	s.Tls = &apinet.ServerTLSSettings{HttpsRedirect: true}
	return s
}

// The cases of the issue, each checked against Istio's control plane in
// the e2e tests (test/expose/reach_test.go).
func TestMergeVirtualHosts(t *testing.T) {
	tests := []struct {
		name string
		gws  []*networkingv1.Gateway
		vss  []*networkingv1.VirtualService
		// want is the status of each (vs, host, route index): "" for ok.
		want map[string]string
	}{
		{
			name: "a * VirtualService joins the HTTPS server of a host on the same Gateway",
			gws: []*networkingv1.Gateway{gwWith("default", "expose-gw",
				httpServer("*"), redirectServer("secure.example.com"), httpsServer("secure-cert", "secure.example.com"))},
			vss: []*networkingv1.VirtualService{
				aged(vs("web", true, "*", "expose-gw", hr("web", pre("/"))), "default", 1),
				aged(vs("docs", true, "secure.example.com", "expose-gw", hr("docs", pre("/"))), "default", 2),
			},
			want: map[string]string{
				"web * 0":                   "",
				"docs secure.example.com 0": "default/web route prefix / (web.default.svc.cluster.local:80)",
			},
		},
		{
			name: "the host on a Gateway of its own is not joined",
			gws: []*networkingv1.Gateway{gwWith("default", "expose-gw", httpServer("*")),
				gwWith("default", "secure", redirectServer("secure.example.com"), httpsServer("secure-cert", "secure.example.com"))},
			vss: []*networkingv1.VirtualService{
				aged(vs("web", true, "*", "expose-gw", hr("web", pre("/"))), "default", 1),
				aged(vs("docs", true, "secure.example.com", "secure", hr("docs", pre("/"))), "default", 2),
			},
			want: map[string]string{"web * 0": "", "docs secure.example.com 0": ""},
		},
		{
			name: "two namespaces, one virtual host: the older VirtualService wins",
			gws:  []*networkingv1.Gateway{gwWith("default", "expose-gw", httpServer("*")), gwWith("team-a", "expose-gw", httpServer("*"))},
			vss: []*networkingv1.VirtualService{
				aged(vs("shop", true, "*", "expose-gw", hr("shop", pre("/"))), "team-a", 2),
				aged(vs("web", true, "*", "expose-gw", hr("web", pre("/"))), "default", 1),
			},
			want: map[string]string{"web * 0": "", "shop * 0": "default/web route prefix / (web.default.svc.cluster.local:80)"},
		},
		{
			name: "two namespaces, two paths: both reached",
			gws:  []*networkingv1.Gateway{gwWith("default", "expose-gw", httpServer("*")), gwWith("team-a", "expose-gw", httpServer("*"))},
			vss: []*networkingv1.VirtualService{
				aged(vs("shop", true, "*", "expose-gw", hr("shop", pre("/shop"))), "team-a", 2),
				aged(vs("web", true, "*", "expose-gw", hr("web", pre("/web"))), "default", 1),
			},
			want: map[string]string{"web * 0": "", "shop * 0": ""},
		},
		{
			name: "a server host's namespace part keeps other namespaces out",
			gws:  []*networkingv1.Gateway{gwWith("istio-system", "shared", httpServer("istio-system/*")), gwWith("default", "expose-gw", httpServer("*"))},
			vss: []*networkingv1.VirtualService{
				aged(vs("web", true, "*", "istio-system/shared", hr("web", pre("/"))), "default", 1),
				aged(vs("shop", true, "*", "expose-gw", hr("shop", pre("/"))), "default", 2),
			},
			want: map[string]string{"web * 0": "", "shop * 0": ""},
		},
		{
			name: "a * VirtualService joins a host's virtual host on the same port, its / moved last",
			gws:  []*networkingv1.Gateway{gwWith("default", "expose-gw", httpServer("*", "flask.example.com"))},
			vss: []*networkingv1.VirtualService{
				aged(vs("web", true, "*", "expose-gw", hr("web", pre("/"))), "default", 1),
				aged(vs("flask", true, "flask.example.com", "expose-gw", hr("flaskapp", pre("/env"))), "default", 2),
			},
			want: map[string]string{"web * 0": "", "flask flask.example.com 0": ""},
		},
		{
			name: "a * VirtualService's / still takes a newer / of the host's virtual host",
			gws:  []*networkingv1.Gateway{gwWith("default", "expose-gw", httpServer("*", "flask.example.com"))},
			vss: []*networkingv1.VirtualService{
				aged(vs("web", true, "*", "expose-gw", hr("web", pre("/"))), "default", 1),
				aged(vs("flask", true, "flask.example.com", "expose-gw", hr("flaskapp", pre("/"))), "default", 2),
			},
			want: map[string]string{"web * 0": "", "flask flask.example.com 0": "default/web route prefix / (web.default.svc.cluster.local:80)"},
		},
		{
			name: "hosts are one virtual host whatever their case",
			gws:  []*networkingv1.Gateway{gwWith("default", "expose-gw", httpServer("*"))},
			vss: []*networkingv1.VirtualService{
				aged(vs("a", true, "Shop.example.com", "expose-gw", hr("a", pre("/"))), "default", 1),
				aged(vs("b", true, "shop.example.com", "expose-gw", hr("b", pre("/"))), "default", 2),
			},
			want: map[string]string{"a Shop.example.com 0": "", "b shop.example.com 0": "default/a route prefix / (a.default.svc.cluster.local:80)"},
		},
		{
			name: "the older Gateway's VirtualServices come first in a shared route configuration",
			gws: []*networkingv1.Gateway{
				gatewayAged(gwWith("default", "expose-gw", httpServer("*")), 1),
				gatewayAged(gwWith("team-a", "expose-gw", httpServer("*")), 0),
			},
			vss: []*networkingv1.VirtualService{
				aged(vs("web", true, "*", "expose-gw", hr("web", pre("/"))), "default", 1),
				aged(vs("shop", true, "*", "expose-gw", hr("shop", pre("/"))), "team-a", 2),
			},
			want: map[string]string{"web * 0": "team-a/shop route prefix / (shop.default.svc.cluster.local:80)", "shop * 0": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := rules.MergeVirtualHosts(tt.gws, tt.vss)
			got := map[string]string{}
			for _, v := range tt.vss {
				for _, h := range v.Spec.Hosts {
					for i := range v.Spec.Http {
						s := ""
						if sh := m.Shadowed(v, h, i); sh != nil {
							s = sh.String()
						}
						got[v.Name+" "+h+" "+string(rune('0'+i))] = s
					}
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheckReach(t *testing.T) {
	st := State{
		Gateways:      []*networkingv1.Gateway{gwWith("team-a", "expose-gw", httpServer("*"))},
		OtherGateways: []*networkingv1.Gateway{gwWith("default", "expose-gw", httpServer("*"))},
		OtherVirtualServices: []*networkingv1.VirtualService{
			aged(vs("expose-gw-any", true, "*", "expose-gw", hr("web", pre("/"))), "default", 1)},
	}
	shop := vs("expose-gw-any", true, "*", "expose-gw", hr("shop", pre("/")))
	shop.Namespace = "team-a"
	changes := []route.Change{{Op: route.OpCreate, Object: shop}}
	_, err := CheckReach(st, changes, false)
	require.EqualError(t, err, `route prefix / of host "*" (virtualservice team-a/expose-gw-any) would be shadowed by default/expose-gw-any route prefix / (web.default.svc.cluster.local:80): give it its own host with --host or its own Gateway with --gateway, or add --force to write it anyway`)
	warnings, err := CheckReach(st, changes, true)
	require.NoError(t, err)
	assert.Len(t, warnings, 1)

	// Another path on the same virtual host comes before web's "/", which
	// Istio moves after every other route.
	shop.Spec.Http = []*apinet.HTTPRoute{hr("shop", pre("/shop"))}
	warnings, err = CheckReach(st, changes, false)
	require.NoError(t, err)
	assert.Empty(t, warnings)

	// Its own host is a virtual host of its own.
	shop.Spec.Hosts = []string{"shop.example.com"}
	warnings, err = CheckReach(st, changes, false)
	require.NoError(t, err)
	assert.Empty(t, warnings)
}
