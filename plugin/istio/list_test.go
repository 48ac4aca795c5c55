package istio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

func TestListRoutes(t *testing.T) {
	mine := vs("expose-gw-any", true, "*", "expose-gw", hr("webapp", pre("/")), hr("flaskapp", pre("/env")))
	hand := vs("hand", false, "*", "expose-gw", hr("x", ex("/x")))
	meshOnly := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: "m", Namespace: "default"},
		Spec: apinet.VirtualService{Hosts: []string{"m"}, Http: []*apinet.HTTPRoute{hr("m", pre("/"))}}}
	rows := ListRoutes(nil, []*networkingv1.VirtualService{mine, hand, meshOnly})
	var got []string
	for _, r := range rows {
		got = append(got, r.VirtualService+" "+r.Match+" "+r.Status)
	}
	assert.Equal(t, []string{
		"expose-gw-any prefix / conflict with default/hand",
		"expose-gw-any prefix /env conflict with default/hand",
		"hand exact /x conflict with default/expose-gw-any",
	}, got)

	rows = ListRoutes(nil, []*networkingv1.VirtualService{mine})
	assert.Equal(t, "shadowed by prefix /", rows[1].Status)
	assert.Equal(t, "flaskapp.default.svc.cluster.local:80", rows[1].Destination)
	assert.Equal(t, "default/expose-gw", rows[1].Gateway)
}

// TestListRoutesKinds: the match and rewrite columns of each kind.
func TestListRoutesKinds(t *testing.T) {
	with := func(svc string, m route.Match, rw string) *apinet.HTTPRoute {
		return BuildRoute(route.RouteTarget{Service: svc, Namespace: "default", Port: 80, Rewrite: rw}, m)
	}
	old := vs("expose-gw-any", true, "*", "expose-gw", with("a", ex("/x"), "/y"), with("b", pre("/envoy"), "/"), with("c", str("/env"), "/v1"),
		with("d", pre("/env"), "/v2"), with("e", pre("/"), ""))
	var got []string
	for _, r := range ListRoutes(nil, []*networkingv1.VirtualService{old}) {
		got = append(got, r.Route+" "+r.Match+" "+r.Rewrite+" "+r.Status)
	}
	assert.Equal(t, []string{
		"a exact /x /y ok",
		"b prefix /envoy / ok",
		"c string-prefix /env /v1 ok",
		"d prefix /env /v2 shadowed by string-prefix /env",
		"e prefix /  ok",
	}, got)
}
