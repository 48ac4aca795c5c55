package gwapi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
)

// twoPorts is a Gateway in default with HTTP listeners on 80 and 8080,
// one more on 8080 for b.example.com only, one on 8081 that takes routes
// of every namespace, one on 8082 that takes those of namespaces a
// selector picks, and a TLS passthrough listener on 8443.
func twoPorts() *gwv1.Gateway {
	from := func(f gwv1.FromNamespaces) *gwv1.AllowedRoutes {
		return &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr.To(f), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "x"}}}}
	}
	return &gwv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: "edge", Namespace: "default", CreationTimestamp: metav1.NewTime(time.Unix(10, 0))},
		Spec: gwv1.GatewaySpec{GatewayClassName: "istio", Listeners: []gwv1.Listener{
			{Name: "http", Port: 80, Protocol: gwv1.HTTPProtocolType},
			{Name: "alt", Port: 8080, Protocol: gwv1.HTTPProtocolType},
			{Name: "alt-b", Port: 8080, Protocol: gwv1.HTTPProtocolType, Hostname: ptr.To(gwv1.Hostname("b.example.com"))},
			{Name: "all", Port: 8081, Protocol: gwv1.HTTPProtocolType, AllowedRoutes: from(gwv1.NamespacesFromAll)},
			{Name: "picked", Port: 8082, Protocol: gwv1.HTTPProtocolType, AllowedRoutes: from(gwv1.NamespacesFromSelector)},
			{Name: "tls", Port: 8443, Protocol: gwv1.TLSProtocolType},
		}},
	}
}

// ref is a parentRef to default/edge with an optional section and port.
func ref(section string, port gwv1.PortNumber) gwv1.ParentReference {
	p := gwv1.ParentReference{Name: "edge"}
	if section != "" {
		p.SectionName = ptr.To(gwv1.SectionName(section))
	}
	if port != 0 {
		p.Port = ptr.To(port)
	}
	return p
}

// TestAttached: the listeners a parentRef takes, as the Gateway API
// reference says of ParentReference.sectionName and .port, Listener
// hostname and AllowedRoutes.
func TestAttached(t *testing.T) {
	g := twoPorts()
	other := gwv1.ParentReference{Name: "elsewhere"}
	foreign := ref("", 0)
	foreign.Namespace = ptr.To(gwv1.Namespace("infra"))
	fromOther := ref("", 0)
	fromOther.Namespace = ptr.To(gwv1.Namespace("default"))
	httpAll := []gwv1.SectionName{"http", "alt", "alt-b", "all", "picked"}
	for _, tc := range []struct {
		name    string
		ns      string // the route's namespace (default: default)
		host    string // the route host (default: *)
		parents []gwv1.ParentReference
		want    []gwv1.SectionName
	}{
		{"neither: every HTTP listener (not the TLS one)", "", "", []gwv1.ParentReference{ref("", 0)}, httpAll},
		{"sectionName", "", "", []gwv1.ParentReference{ref("alt", 0)}, []gwv1.SectionName{"alt"}},
		{"port: every listener on it", "", "", []gwv1.ParentReference{ref("", 8080)}, []gwv1.SectionName{"alt", "alt-b"}},
		{"both, matching", "", "", []gwv1.ParentReference{ref("alt", 8080)}, []gwv1.SectionName{"alt"}},
		{"both, the listener on another port: none", "", "", []gwv1.ParentReference{ref("http", 8080)}, nil},
		{"a port no listener has: none", "", "", []gwv1.ParentReference{ref("", 9090)}, nil},
		{"a section the Gateway lacks: none", "", "", []gwv1.ParentReference{ref("gone", 0)}, nil},
		{"another Gateway: none", "", "", []gwv1.ParentReference{other}, nil},
		{"a Gateway of that name in another namespace: none", "", "", []gwv1.ParentReference{foreign}, nil},
		{"several parentRefs add up", "", "", []gwv1.ParentReference{ref("http", 0), ref("", 8080)}, []gwv1.SectionName{"http", "alt", "alt-b"}},
		{"a host the listener's hostname does not cover", "", "a.example.com", []gwv1.ParentReference{ref("", 8080)}, []gwv1.SectionName{"alt"}},
		{"the listener's hostname", "", "b.example.com", []gwv1.ParentReference{ref("", 8080)}, []gwv1.SectionName{"alt", "alt-b"}},
		{"another namespace: only the listeners that allow it (a selector counts as allowing)", "other", "", []gwv1.ParentReference{fromOther}, []gwv1.SectionName{"all", "picked"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns, host := "default", "*"
			if tc.ns != "" {
				ns = tc.ns
			}
			if tc.host != "" {
				host = tc.host
			}
			r := newRoute("r", ns, host, tc.parents)
			var got []gwv1.SectionName
			for name := range attached(r, g, host) {
				got = append(got, name)
			}
			assert.ElementsMatch(t, tc.want, got)
		})
	}
}

func TestSharesListener(t *testing.T) {
	g := twoPorts()
	route := func(p gwv1.ParentReference) *gwv1.HTTPRoute {
		return newRoute("r", "default", "*", []gwv1.ParentReference{p})
	}
	assert.True(t, sharesListener(route(ref("http", 0)), route(ref("", 0)), g, "*"), "every listener includes http")
	assert.True(t, sharesListener(route(ref("", 8080)), route(ref("alt", 0)), g, "*"))
	assert.False(t, sharesListener(route(ref("http", 0)), route(ref("", 8080)), g, "*"), "port 8080 is not the http listener's")
	assert.False(t, sharesListener(route(ref("http", 0)), route(ref("alt", 0)), g, "*"))
	assert.False(t, sharesListener(route(ref("http", 0)), route(ref("http", 8080)), g, "*"), "a parentRef that takes no listener shares none")
	assert.False(t, sharesListener(route(ref("alt-b", 0)), route(ref("", 8080)), g, "a.example.com"), "alt-b does not serve a.example.com")
}

// A route attached by port to another listener does not compete with the
// tool's route on the http listener: expose writes it, list shows both
// routing.
func TestExposeBesideARouteOnAnotherPort(t *testing.T) {
	g := twoPorts()
	old := newRoute("legacy", "default", "*", []gwv1.ParentReference{ref("", 8080)})
	old.CreationTimestamp = metav1.NewTime(time.Unix(20, 0))
	old.Spec.Rules = []gwv1.HTTPRouteRule{backendRule(model.Match{Kind: model.Prefix, Path: "/env"}, model.RouteTarget{Service: "webapp", Namespace: "default", Port: 80})}
	st := State{Gateways: []*gwv1.Gateway{g}, Routes: []*gwv1.HTTPRoute{old}}
	e := expose()
	e.Gateway = &model.ObjectRef{Namespace: "default", Name: "edge"}
	p := must2(t, e, st)
	assert.Empty(t, p.Warnings)
	r := p.Changes[1].Object.(*gwv1.HTTPRoute)
	require.Len(t, r.Spec.ParentRefs, 1)
	assert.Equal(t, gwv1.SectionName("http"), *r.Spec.ParentRefs[0].SectionName)
	for _, row := range ListRoutes(applied(st, p)) {
		assert.NotContains(t, row.Status, model.StatusShadowed, row.HTTPRoute)
	}

	// On port 80 too, the older route keeps the match: refused.
	old.Spec.ParentRefs = append(old.Spec.ParentRefs, ref("", 80))
	_, err := PlanExpose(e, st)
	var taken *TakenError
	require.ErrorAs(t, err, &taken)
	assert.Equal(t, "default/legacy", taken.Other)
}
