package istio

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

func routesVS(ns, name string, hosts, gws []string, routes ...*apinet.HTTPRoute) *networkingv1.VirtualService {
	return &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: apinet.VirtualService{Hosts: hosts, Gateways: gws, Http: routes}}
}

func httpRoute(dest string, prefixes ...string) *apinet.HTTPRoute {
	r := &apinet.HTTPRoute{Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: dest}}}}
	for _, p := range prefixes {
		r.Match = append(r.Match, &apinet.HTTPMatchRequest{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: p}}})
	}
	return r
}

func routesGW(ns, name string, servers ...*apinet.Server) *networkingv1.Gateway {
	return &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"}, Servers: servers}}
}

func server(n uint32, proto string, hosts ...string) *apinet.Server {
	return &apinet.Server{Port: &apinet.Port{Number: n, Protocol: proto, Name: "p"}, Hosts: hosts}
}

func TestServiceRoutes(t *testing.T) {
	passthrough := server(443, "HTTPS", "*")
	passthrough.Tls = &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_PASSTHROUGH}
	tests := []struct {
		name string
		ns   string // the Service's namespace (app when empty)
		gws  []*networkingv1.Gateway
		vss  []*networkingv1.VirtualService
		want []string // scheme port host path vs gateway
	}{
		{"short name, same namespace, no match is /", "",
			[]*networkingv1.Gateway{routesGW("app", "g", server(80, "HTTP", "*"))},
			[]*networkingv1.VirtualService{routesVS("app", "v", []string{"*"}, []string{"g"}, httpRoute("web"))},
			[]string{"http 80 * / app/v app/g"}},
		{"FQDN destination, gateway in another namespace, http and https servers", "",
			[]*networkingv1.Gateway{routesGW("istio-system", "shared", server(80, "HTTP", "*"), server(443, "HTTPS", "app/*.example.com"))},
			[]*networkingv1.VirtualService{routesVS("app", "v", []string{"web.example.com"}, []string{"istio-system/shared"}, httpRoute("web.app.svc.cluster.local", "/a", "/b"))},
			[]string{"http 80 web.example.com /a app/v istio-system/shared", "https 443 web.example.com /a app/v istio-system/shared",
				"http 80 web.example.com /b app/v istio-system/shared", "https 443 web.example.com /b app/v istio-system/shared"}},
		{"./NAME and the legacy NAME.NS.svc.cluster.local gateway entries", "",
			[]*networkingv1.Gateway{routesGW("app", "g", server(80, "HTTP", "*")), routesGW("istio-system", "shared", server(8080, "HTTP", "*"))},
			[]*networkingv1.VirtualService{routesVS("app", "v", []string{"*"}, []string{"./g", "shared.istio-system.svc.cluster.local"}, httpRoute("web", "/x"))},
			[]string{"http 80 * /x app/v app/g", "http 8080 * /x app/v istio-system/shared"}},
		{"other Services, mesh only, dangling gateway, host not accepted, namespace not let in, passthrough: nothing", "",
			[]*networkingv1.Gateway{routesGW("app", "g", server(80, "HTTP", "other.example.com"), passthrough, server(81, "HTTP", "elsewhere/*"))},
			[]*networkingv1.VirtualService{routesVS("app", "other", []string{"*"}, []string{"g"}, httpRoute("other")),
				routesVS("app", "mesh", []string{"web"}, []string{"mesh"}, httpRoute("web")),
				routesVS("app", "dangling", []string{"*"}, []string{"missing"}, httpRoute("web")),
				routesVS("app", "host", []string{"web.example.com"}, []string{"g"}, httpRoute("web"))},
			nil},
		{"* on a server of one host is that host; a redirecting server carries no route", "",
			[]*networkingv1.Gateway{routesGW("app", "g", server(80, "HTTP", "shop.example.com"),
				&apinet.Server{Port: &apinet.Port{Number: 81, Protocol: "HTTP", Name: "r"}, Hosts: []string{"*"}, Tls: &apinet.ServerTLSSettings{HttpsRedirect: true}})},
			[]*networkingv1.VirtualService{routesVS("app", "v", []string{"*"}, []string{"g"}, httpRoute("web", "/x"))},
			[]string{"http 80 shop.example.com /x app/v app/g"}},
		{"web.app is not web.app.svc.cluster.local to Istio (a name with a dot is taken as it is)", "",
			[]*networkingv1.Gateway{routesGW("app", "g", server(80, "HTTP", "*"))},
			[]*networkingv1.VirtualService{routesVS("app", "v", []string{"*"}, []string{"g"}, httpRoute("web.app", "/x"))},
			nil},
		{"short name in the wrong namespace is another Service", "elsewhere",
			[]*networkingv1.Gateway{routesGW("app", "g", server(80, "HTTP", "*"))},
			[]*networkingv1.VirtualService{routesVS("app", "v", []string{"*"}, []string{"g"}, httpRoute("web", "/x"))},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := tt.ns
			if ns == "" {
				ns = "app"
			}
			all := map[route.ObjectRef]*networkingv1.Gateway{}
			for _, g := range tt.gws {
				all[route.ObjectRef{Namespace: g.Namespace, Name: g.Name}] = g
			}
			gws := map[route.ObjectRef]*networkingv1.Gateway{}
			for _, ref := range RouteGateways(tt.vss, ns, "web") {
				if g, ok := all[ref]; ok {
					gws[ref] = g
				}
			}
			var got []string
			for _, r := range ServiceRoutes(tt.vss, gws, ns, "web") {
				got = append(got, fmt.Sprintf("%s %d %s %s %s %s", r.Scheme, r.ServerPort, r.Host, r.Path, r.VirtualService, r.Gateway))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
