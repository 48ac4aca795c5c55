package istio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

func TestGatewayClashes(t *testing.T) {
	inNS := func(ns, name string, port uint32, hosts ...string) *networkingv1.Gateway {
		g := gateway(name, false, hosts...)
		g.Namespace = ns
		for _, s := range g.Spec.Servers {
			s.Port.Number = port
		}
		return g
	}
	other := State{OtherGateways: []*networkingv1.Gateway{inNS("shop", "shop-gw", 80, "*.example.com")}}
	tests := []struct {
		name string
		req  *route.Expose
		st   State
		want []string
	}{
		{"another namespace serves the host on the port", expose("flaskapp", []string{"a.example.com"}, pre("/")), other,
			[]string{`gateway shop/shop-gw also serves host "a.example.com" on port 80 for the same pods (istio=ingressgateway): two Gateways with the same selector, port and host conflict; consider --gateway shop/shop-gw`}},
		// Their *.example.com server does not take host "*": no --gateway
		// hint, and the warning names their host, not ours.
		{"a * server overlaps theirs", expose("flaskapp", []string{"*"}, pre("/")), other,
			[]string{`gateway shop/shop-gw also has host "*.example.com" on port 80 for the same pods (istio=ingressgateway), overlapping host "*": two Gateways with the same selector, port and overlapping hosts conflict`}},
		{"another host", expose("flaskapp", []string{"a.example.org"}, pre("/")), other, nil},
		{"their server admits only their namespace: no --gateway hint", expose("flaskapp", []string{"*"}, pre("/")),
			State{OtherGateways: []*networkingv1.Gateway{inNS("shop", "shop-gw", 80, "shop/*")}},
			[]string{`gateway shop/shop-gw also has host "shop/*" on port 80 for the same pods (istio=ingressgateway), overlapping host "*": two Gateways with the same selector, port and overlapping hosts conflict`}},
		{"their hosts, each named once", expose("flaskapp", []string{"*"}, pre("/")),
			State{OtherGateways: []*networkingv1.Gateway{inNS("shop", "shop-gw", 80, "shop/*", "*/a.example.com", "shop/*")}},
			[]string{`gateway shop/shop-gw also has hosts "shop/*", "*/a.example.com" on port 80 for the same pods (istio=ingressgateway), overlapping host "*": two Gateways with the same selector, port and overlapping hosts conflict`}},
		{"the same host, for every namespace", expose("flaskapp", []string{"a.example.com"}, pre("/")),
			State{OtherGateways: []*networkingv1.Gateway{inNS("shop", "shop-gw", 80, "*/a.example.com")}},
			[]string{`gateway shop/shop-gw also serves host "a.example.com" on port 80 for the same pods (istio=ingressgateway): two Gateways with the same selector, port and host conflict; consider --gateway shop/shop-gw`}},
		{"the same host, for their namespace", expose("flaskapp", []string{"a.example.com"}, pre("/")),
			State{OtherGateways: []*networkingv1.Gateway{inNS("shop", "shop-gw", 80, "./a.example.com")}},
			[]string{`gateway shop/shop-gw also has host "./a.example.com" on port 80 for the same pods (istio=ingressgateway), overlapping host "a.example.com": two Gateways with the same selector, port and overlapping hosts conflict`}},
		{"another port", expose("flaskapp", []string{"a.example.com"}, pre("/")),
			State{OtherGateways: []*networkingv1.Gateway{inNS("shop", "shop-gw", 8080, "*.example.com")}}, nil},
		{"other pods", expose("flaskapp", []string{"a.example.com"}, pre("/")),
			State{OtherGateways: []*networkingv1.Gateway{func() *networkingv1.Gateway {
				g := inNS("shop", "shop-gw", 80, "*.example.com")
				g.Spec.Selector = map[string]string{"istio": "internal"}
				return g
			}()}}, nil},
		{"a host the tool's gateway served already is not warned again", expose("flaskapp", []string{"b.example.com"}, pre("/")),
			State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "a.example.com")},
				OtherGateways: []*networkingv1.Gateway{inNS("shop", "shop-gw", 80, "a.example.com")}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := PlanExpose(tt.req, tt.st)
			assert.NoError(t, err)
			assert.Equal(t, tt.want, GatewayClashes(cs, tt.st))
		})
	}
}
