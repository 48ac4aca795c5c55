package rules

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func route(dest string, m ...*apinet.HTTPMatchRequest) *apinet.HTTPRoute {
	return &apinet.HTTPRoute{Match: m, Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: dest}}}}
}

func uriPrefix(p string) *apinet.HTTPMatchRequest {
	return &apinet.HTTPMatchRequest{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: p}}}
}

// Pilot's route.IsCatchAllRoute: a prefix "/" or regex ".*" and nothing
// else to match on (an empty match request is a prefix "/").
func TestCatchAll(t *testing.T) {
	header := &apinet.HTTPMatchRequest{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: "/"}},
		Headers: map[string]*apinet.StringMatch{"x-canary": {MatchType: &apinet.StringMatch_Exact{Exact: "1"}}}}
	regex := &apinet.HTTPMatchRequest{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Regex{Regex: ".*"}}}
	for name, c := range map[string]struct {
		r    *apinet.HTTPRoute
		want bool
	}{
		"no match":                       {route("a"), true},
		"prefix /":                       {route("a", uriPrefix("/")), true},
		"an empty match request":         {route("a", &apinet.HTTPMatchRequest{}), true},
		"regex .*":                       {route("a", regex), true},
		"one of its matches is prefix /": {route("a", uriPrefix("/shop"), uriPrefix("/")), true},
		"prefix / with a header match":   {route("a", header), false},
		"prefix /shop":                   {route("a", uriPrefix("/shop")), false},
	} {
		assert.Equal(t, c.want, CatchAll(c.r), name)
	}
}

// Pilot drops the routes of a VirtualService after its first catch-all
// (route.BuildHTTPRoutesForVirtualService), then moves the catch-alls of
// the merged virtual host last: an older VirtualService's "/shop" after
// its "/" never reaches Envoy and shadows nothing of a newer one.
func TestMergeDropsRoutesAfterACatchAll(t *testing.T) {
	gw := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "g"},
		Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*apinet.Server{{Port: &apinet.Port{Number: 80, Protocol: "HTTP", Name: "http"}, Hosts: []string{"*"}}}}}
	vs := func(name string, age int, routes ...*apinet.HTTPRoute) *networkingv1.VirtualService {
		return &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: name,
			CreationTimestamp: metav1.NewTime(time.Unix(1e9, 0).Add(time.Duration(age) * time.Minute))},
			Spec: apinet.VirtualService{Hosts: []string{"shop.example.com"}, Gateways: []string{"g"}, Http: routes}}
	}
	older := vs("a", 0, route("web"), route("old", uriPrefix("/shop")))
	newer := vs("b", 1, route("shop", uriPrefix("/shop")))
	v := MergeVirtualHosts([]*networkingv1.Gateway{gw}, []*networkingv1.VirtualService{older, newer})
	assert.Nil(t, v.Shadowed(newer, "shop.example.com", 0), "b's /shop is Envoy's first /shop route")
	assert.Nil(t, v.Shadowed(older, "shop.example.com", 1), "a's /shop is not in the virtual host at all (the VirtualService's own order says it is shadowed)")
	assert.Equal(t, []int{-1, 0}, ShadowedBy(older.Spec.Http))
}
