package gwapi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// twoPorts is a Gateway in default with HTTP listeners on 80 and 8080,
// one more on 8080 for b.example.com only, one on 8081 that takes routes
// of every namespace, one on 8082 that takes those of namespaces a
// selector picks, two HTTPS listeners on 443 (any host, and
// b.example.com) and a TLS passthrough listener on 8443.
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
			{Name: "https", Port: 443, Protocol: gwv1.HTTPSProtocolType},
			{Name: "https-b", Port: 443, Protocol: gwv1.HTTPSProtocolType, Hostname: ptr.To(gwv1.Hostname("b.example.com"))},
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

// TestListenersOf: the listeners a parentRef takes, as the Gateway API
// reference says of ParentReference.sectionName and .port, and of
// AllowedRoutes.
func TestListenersOf(t *testing.T) {
	g := twoPorts()
	other := gwv1.ParentReference{Name: "elsewhere"}
	foreign := ref("", 0)
	foreign.Namespace = ptr.To(gwv1.Namespace("infra"))
	fromOther := ref("", 0)
	fromOther.Namespace = ptr.To(gwv1.Namespace("default"))
	for _, tc := range []struct {
		name    string
		ns      string // the route's namespace (default: default)
		parents []gwv1.ParentReference
		want    []gwv1.SectionName
	}{
		{"neither: every HTTP and HTTPS listener (not the TLS one)", "", []gwv1.ParentReference{ref("", 0)}, []gwv1.SectionName{"http", "alt", "alt-b", "all", "picked", "https", "https-b"}},
		{"sectionName", "", []gwv1.ParentReference{ref("alt", 0)}, []gwv1.SectionName{"alt"}},
		{"port: every listener on it", "", []gwv1.ParentReference{ref("", 8080)}, []gwv1.SectionName{"alt", "alt-b"}},
		{"port of the HTTPS listeners", "", []gwv1.ParentReference{ref("", 443)}, []gwv1.SectionName{"https", "https-b"}},
		{"both, matching", "", []gwv1.ParentReference{ref("alt", 8080)}, []gwv1.SectionName{"alt"}},
		{"both, the listener on another port: none", "", []gwv1.ParentReference{ref("http", 8080)}, nil},
		{"a port no listener has: none", "", []gwv1.ParentReference{ref("", 9090)}, nil},
		{"a section the Gateway lacks: none", "", []gwv1.ParentReference{ref("gone", 0)}, nil},
		{"the TLS listener: none (it takes TLSRoutes)", "", []gwv1.ParentReference{ref("tls", 0)}, nil},
		{"another Gateway: none", "", []gwv1.ParentReference{other}, nil},
		{"a Gateway of that name in another namespace: none", "", []gwv1.ParentReference{foreign}, nil},
		{"several parentRefs add up", "", []gwv1.ParentReference{ref("http", 0), ref("", 8080)}, []gwv1.SectionName{"http", "alt", "alt-b"}},
		{"another namespace: only the listeners that allow it (a selector counts as allowing)", "other", []gwv1.ParentReference{fromOther}, []gwv1.SectionName{"all", "picked"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := "default"
			if tc.ns != "" {
				ns = tc.ns
			}
			var got []gwv1.SectionName
			for _, l := range listenersOf(newRoute("r", ns, "*", tc.parents), g) {
				got = append(got, l.Name)
			}
			assert.ElementsMatch(t, tc.want, got)
		})
	}

	kinds := twoPorts()
	kinds.Spec.Listeners[0].AllowedRoutes = &gwv1.AllowedRoutes{Kinds: []gwv1.RouteGroupKind{{Kind: "GRPCRoute"}}}
	assert.Empty(t, listenersOf(newRoute("r", "default", "*", []gwv1.ParentReference{ref("http", 0)}), kinds), "a listener for GRPCRoutes only")
}

// TestCompetes: the tool's route a (host, on listener section) and an
// older route b (hostnames, parentRef) with the same match compete when
// Istio would put them on one virtual host.
func TestCompetes(t *testing.T) {
	g := twoPorts()
	m := route.Match{Kind: route.Prefix, Path: "/env"}
	mk := func(p gwv1.ParentReference, hosts ...gwv1.Hostname) *gwv1.HTTPRoute {
		r := newRoute("r", "default", "*", []gwv1.ParentReference{p})
		r.Spec.Hostnames = hosts
		r.Spec.Rules = []gwv1.HTTPRouteRule{backendRule(m, route.RouteTarget{Service: "s", Namespace: "default", Port: 80})}
		return r
	}
	for _, tc := range []struct {
		name    string
		section string // the tool's listener
		host    string // the tool's host
		b       *gwv1.HTTPRoute
		want    bool
	}{
		{"every listener includes http", "http", "*", mk(ref("", 0)), true},
		{"port 8080 is not the http listener's", "http", "*", mk(ref("", 8080)), false},
		{"another listener of another port", "http", "*", mk(ref("alt", 0)), false},
		{"a parentRef that takes no listener", "http", "*", mk(ref("http", 8080)), false},
		{"the same listener, a host of its own: another virtual host", "alt", "*", mk(ref("alt", 0), "a.example.com"), false},
		{"a listener's hostname is the host of a route without one", "alt-b", "b.example.com", mk(ref("alt-b", 0)), true},
		{"a wildcard route on a listener for a name serves the name", "alt-b", "b.example.com", mk(ref("alt-b", 0), "*.example.com"), true},
		{"HTTP listeners of one port share their virtual hosts", "alt", "b.example.com", mk(ref("alt-b", 0)), true},
		{"HTTP listeners of one port, other hosts", "alt", "a.example.com", mk(ref("alt-b", 0)), false},
		{"an HTTPS listener has virtual hosts of its own", "https", "b.example.com", mk(ref("https-b", 0)), false},
		{"the same HTTPS listener", "https", "*", mk(ref("", 443)), true},
		{"HTTP and HTTPS of one host do not compete", "http", "*", mk(ref("https", 0)), false},
		{"another match", "http", "*", func() *gwv1.HTTPRoute {
			r := mk(ref("", 0))
			r.Spec.Rules[0] = backendRule(route.Match{Kind: route.Prefix, Path: "/api"}, route.RouteTarget{Service: "s", Namespace: "default", Port: 80})
			return r
		}(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newRoute("tool", "default", tc.host, []gwv1.ParentReference{ref(tc.section, 0)})
			assert.Equal(t, tc.want, competes(a, tc.b, g, refOf(g), m, tc.host))
		})
	}

	// A Gateway not known here: the parentRefs and hostnames as they are.
	ghost := route.ObjectRef{Namespace: "default", Name: "edge"}
	a := newRoute("tool", "default", "*", []gwv1.ParentReference{ref("http", 0)})
	assert.True(t, competes(a, mk(ref("", 0)), nil, ghost, m, "*"))
	assert.True(t, competes(a, mk(ref("http", 80)), nil, ghost, m, "*"))
	assert.False(t, competes(a, mk(ref("alt", 0)), nil, ghost, m, "*"))
	assert.False(t, competes(a, mk(ref("", 0), "a.example.com"), nil, ghost, m, "*"))
}

// A route attached by port to another listener does not compete with the
// tool's route on the http listener: expose writes it, list shows both
// routing.
func TestExposeBesideARouteOnAnotherPort(t *testing.T) {
	g := twoPorts()
	old := newRoute("legacy", "default", "*", []gwv1.ParentReference{ref("", 8080)})
	old.CreationTimestamp = metav1.NewTime(time.Unix(20, 0))
	old.Spec.Rules = []gwv1.HTTPRouteRule{backendRule(route.Match{Kind: route.Prefix, Path: "/env"}, route.RouteTarget{Service: "webapp", Namespace: "default", Port: 80})}
	st := State{Gateways: []*gwv1.Gateway{g}, Routes: []*gwv1.HTTPRoute{old}}
	e := expose()
	e.Gateway = &route.ObjectRef{Namespace: "default", Name: "edge"}
	p := must2(t, e, st)
	assert.Empty(t, p.Warnings)
	r := p.Changes[1].Object.(*gwv1.HTTPRoute)
	require.Len(t, r.Spec.ParentRefs, 1)
	assert.Equal(t, gwv1.SectionName("http"), *r.Spec.ParentRefs[0].SectionName)
	for _, row := range ListRoutes(applied(st, p)) {
		assert.NotContains(t, row.Status, route.StatusShadowed, row.HTTPRoute)
	}

	// On port 80 too, the older route keeps the match: refused.
	old.Spec.ParentRefs = append(old.Spec.ParentRefs, ref("", 80))
	_, err := PlanExpose(e, st)
	var taken *TakenError
	require.ErrorAs(t, err, &taken)
	assert.Equal(t, "default/legacy", taken.Other)
}
