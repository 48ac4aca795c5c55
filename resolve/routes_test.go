package resolve

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	istiofake "istio.io/client-go/pkg/clientset/versioned/fake"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func vs(ns, name string, hosts, gws []string, routes ...*apinet.HTTPRoute) *networkingv1.VirtualService {
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

func gw(ns, name string, servers ...*apinet.Server) *networkingv1.Gateway {
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
		objs []runtime.Object
		want []string // scheme port host path vs gateway
	}{
		{"short name, same namespace, no match is /",
			[]runtime.Object{gw("app", "g", server(80, "HTTP", "*")), vs("app", "v", []string{"*"}, []string{"g"}, httpRoute("web"))},
			[]string{"http 80 * / app/v app/g"}},
		{"FQDN destination, gateway in another namespace, http and https servers",
			[]runtime.Object{gw("istio-system", "shared", server(80, "HTTP", "*"), server(443, "HTTPS", "app/*.example.com")),
				vs("app", "v", []string{"web.example.com"}, []string{"istio-system/shared"}, httpRoute("web.app.svc.cluster.local", "/a", "/b"))},
			[]string{"http 80 web.example.com /a app/v istio-system/shared", "https 443 web.example.com /a app/v istio-system/shared",
				"http 80 web.example.com /b app/v istio-system/shared", "https 443 web.example.com /b app/v istio-system/shared"}},
		{"other Services, mesh only, dangling gateway, host not accepted, passthrough: nothing",
			[]runtime.Object{gw("app", "g", server(80, "HTTP", "other.example.com"), passthrough),
				vs("app", "other", []string{"*"}, []string{"g"}, httpRoute("other")),
				vs("app", "mesh", []string{"web"}, []string{"mesh"}, httpRoute("web")),
				vs("app", "dangling", []string{"*"}, []string{"missing"}, httpRoute("web")),
				vs("app", "host", []string{"web.example.com"}, []string{"g"}, httpRoute("web"))},
			nil},
		{"short name in the wrong namespace is another Service",
			[]runtime.Object{gw("app", "g", server(80, "HTTP", "*")), vs("app", "v", []string{"*"}, []string{"g"}, httpRoute("web", "/x"))},
			nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := "app"
			if i == 3 {
				ns = "elsewhere"
			}
			// Created through the client: the fake's tracker mis-guesses
			// the resource of Gateways given to NewSimpleClientset.
			ist := istiofake.NewSimpleClientset()
			for _, o := range tt.objs {
				var err error
				switch o := o.(type) {
				case *networkingv1.Gateway:
					_, err = ist.NetworkingV1().Gateways(o.Namespace).Create(context.Background(), o, metav1.CreateOptions{})
				case *networkingv1.VirtualService:
					_, err = ist.NetworkingV1().VirtualServices(o.Namespace).Create(context.Background(), o, metav1.CreateOptions{})
				}
				require.NoError(t, err)
			}
			routes, err := ServiceRoutes(context.Background(), ist, ns, "web")
			require.NoError(t, err)
			var got []string
			for _, r := range routes {
				got = append(got, r.Scheme+" "+itoa(int32(r.ServerPort))+" "+r.Host+" "+r.Path+" "+r.VirtualService+" "+r.Gateway)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestHostHeader(t *testing.T) {
	for in, want := range map[string]string{"*": "", "": "", "flask.example.com": "flask.example.com", "*.example.com": "test.example.com"} {
		assert.Equal(t, want, HostHeader(in), in)
	}
}
