package gwapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

func listener(name string, proto gwv1.ProtocolType, port gwv1.PortNumber, host string) gwv1.Listener {
	l := gwv1.Listener{Name: gwv1.SectionName(name), Protocol: proto, Port: port}
	if host != "" {
		l.Hostname = ptr.To(gwv1.Hostname(host))
	}
	return l
}

func istioGW(ns, name, class string, ls ...gwv1.Listener) *gwv1.Gateway {
	return &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(class), Listeners: ls}}
}

// httpRoute sends each path (PathPrefix) of one rule to backend, with
// hosts, attached to parents.
func httpRoute(ns, name, backend string, hosts []string, parents []gwv1.ParentReference, paths ...string) *gwv1.HTTPRoute {
	r := newRoute(name, ns, "*", parents)
	for _, h := range hosts {
		r.Spec.Hostnames = append(r.Spec.Hostnames, gwv1.Hostname(h))
	}
	rule := gwv1.HTTPRouteRule{BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Name: gwv1.ObjectName(backend), Port: ptr.To(gwv1.PortNumber(80))}}}}}
	for _, p := range paths {
		rule.Matches = append(rule.Matches, pathMatch(route.Match{Kind: route.Prefix, Path: p}))
	}
	r.Spec.Rules = []gwv1.HTTPRouteRule{rule}
	return r
}

func pref(gw, section string) gwv1.ParentReference {
	p := gwv1.ParentReference{Name: gwv1.ObjectName(gw)}
	if section != "" {
		p.SectionName = ptr.To(gwv1.SectionName(section))
	}
	return p
}

func TestServiceRoutes(t *testing.T) {
	gw := istioGW("default", "expose-gw", "istio",
		listener("http", gwv1.HTTPProtocolType, 80, ""),
		listener("https", gwv1.HTTPSProtocolType, 443, ""),
		listener("http-api", gwv1.HTTPProtocolType, 8080, "api.example.com"),
		listener("tls", gwv1.TLSProtocolType, 8443, ""))
	other := istioGW("default", "envoy", "eg", listener("http", gwv1.HTTPProtocolType, 80, ""))
	st := State{Gateways: []*gwv1.Gateway{gw, other}, Classes: map[string]string{"istio": ControllerName, "eg": "gateway.envoyproxy.io/gatewayclass-controller"}}
	rt := func(r route.Route) route.Route {
		r.Gateway = "default/expose-gw"
		if r.HTTPRoute == "" {
			r.HTTPRoute = "default/flask"
		}
		return r
	}
	cases := []struct {
		name   string
		routes []*gwv1.HTTPRoute
		want   []route.Route
	}{
		{"a section: its listener, the route's host and path", []*gwv1.HTTPRoute{
			httpRoute("default", "flask", "flaskapp", []string{"flask.example.com"}, []gwv1.ParentReference{pref("expose-gw", "http")}, "/env"),
		}, []route.Route{rt(route.Route{ServerPort: 80, Scheme: "http", Host: "flask.example.com", Path: "/env", Listener: "http"})}},
		{"no section: every HTTP(S) listener whose hostname intersects, HTTP first", []*gwv1.HTTPRoute{
			httpRoute("default", "flask", "flaskapp", nil, []gwv1.ParentReference{pref("expose-gw", "")}, "/env", "/api/"),
		}, []route.Route{
			rt(route.Route{ServerPort: 80, Scheme: "http", Host: "*", Path: "/env", Listener: "http"}),
			rt(route.Route{ServerPort: 80, Scheme: "http", Host: "*", Path: "/api", Listener: "http"}),
			rt(route.Route{ServerPort: 8080, Scheme: "http", Host: "api.example.com", Path: "/env", Listener: "http-api"}),
			rt(route.Route{ServerPort: 8080, Scheme: "http", Host: "api.example.com", Path: "/api", Listener: "http-api"}),
			rt(route.Route{ServerPort: 443, Scheme: "https", Host: "*", Path: "/env", Listener: "https"}),
			rt(route.Route{ServerPort: 443, Scheme: "https", Host: "*", Path: "/api", Listener: "https"}),
		}},
		{"hostnames intersected with the listener's: a wildcard narrows to it, others are left out", []*gwv1.HTTPRoute{
			httpRoute("default", "flask", "flaskapp", []string{"*.example.com", "flask.example.org"}, []gwv1.ParentReference{pref("expose-gw", "http-api")}),
		}, []route.Route{rt(route.Route{ServerPort: 8080, Scheme: "http", Host: "api.example.com", Path: "/", Listener: "http-api"})}},
		{"other Services, other namespaces, other classes and missing Gateways are left out", []*gwv1.HTTPRoute{
			httpRoute("default", "other", "otherapp", nil, []gwv1.ParentReference{pref("expose-gw", "http")}),
			httpRoute("elsewhere", "flask", "flaskapp", nil, []gwv1.ParentReference{{Name: "expose-gw", Namespace: ptr.To(gwv1.Namespace("default"))}}),
			httpRoute("default", "envoy", "flaskapp", nil, []gwv1.ParentReference{pref("envoy", "")}),
			httpRoute("default", "gone", "flaskapp", nil, []gwv1.ParentReference{pref("gone", "")}),
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := st
			s.Routes = c.routes
			assert.Equal(t, c.want, ServiceRoutes(s, "default", "flaskapp"))
		})
	}
	t.Run("a route of another namespace needs the listener's allowedRoutes", func(t *testing.T) {
		s := st
		s.Routes = []*gwv1.HTTPRoute{httpRoute("team", "flask", "flaskapp", nil, []gwv1.ParentReference{{Name: "expose-gw", Namespace: ptr.To(gwv1.Namespace("default"))}})}
		assert.Empty(t, ServiceRoutes(s, "team", "flaskapp"), "From: Same (the default)")
		open := *gw
		open.Spec.Listeners = []gwv1.Listener{listener("http", gwv1.HTTPProtocolType, 80, "")}
		open.Spec.Listeners[0].AllowedRoutes = allowFrom("default", "team")
		s.Gateways = []*gwv1.Gateway{&open}
		assert.Empty(t, ServiceRoutes(s, "team", "flaskapp"), "a Selector, the namespace's labels not known")
		s.NamespaceLabels = map[string]string{"kubernetes.io/metadata.name": "team"}
		assert.Equal(t, []route.Route{{HTTPRoute: "team/flask", Gateway: "default/expose-gw", ServerPort: 80, Scheme: "http", Host: "*", Path: "/", Listener: "http"}}, ServiceRoutes(s, "team", "flaskapp"))
	})
	t.Run("header matches and other backends' rules have no URL", func(t *testing.T) {
		r := httpRoute("default", "flask", "flaskapp", nil, []gwv1.ParentReference{pref("expose-gw", "http")})
		r.Spec.Rules[0].Matches = []gwv1.HTTPRouteMatch{{Headers: []gwv1.HTTPHeaderMatch{{Name: "x", Value: "y"}}}, pathMatch(route.Match{Kind: route.Exact, Path: "/x"})}
		r.Spec.Rules = append(r.Spec.Rules, httpRoute("default", "o", "otherapp", nil, nil, "/other").Spec.Rules[0])
		s := st
		s.Routes = []*gwv1.HTTPRoute{r}
		assert.Equal(t, []route.Route{rt(route.Route{ServerPort: 80, Scheme: "http", Host: "*", Path: "/x", Listener: "http"})}, ServiceRoutes(s, "default", "flaskapp"))
	})
}

func programmed(g *gwv1.Gateway, status metav1.ConditionStatus, reason string, addrs ...string) *gwv1.Gateway {
	g.Status.Conditions = []metav1.Condition{{Type: "Programmed", Status: status, Reason: reason, Message: "m"}}
	for _, a := range addrs {
		g.Status.Addresses = append(g.Status.Addresses, gwv1.GatewayStatusAddress{Value: a})
	}
	return g
}

func TestAddress(t *testing.T) {
	cases := []struct {
		name string
		g    *gwv1.Gateway
		addr string
		ok   bool
		why  string
	}{
		{"programmed with an IP", programmed(istioGW("ns", "gw", "istio"), "True", "Programmed", "192.0.2.1", "192.0.2.2"), "192.0.2.1", true, ""},
		{"programmed with a hostname", programmed(istioGW("ns", "gw", "istio"), "True", "Programmed", "a1.elb.amazonaws.com"), "a1.elb.amazonaws.com", true, ""},
		{"in-cluster hostname", programmed(istioGW("ns", "gw", "istio"), "True", "Programmed", "gw-istio.ns.svc.cluster.local"), "gw-istio.ns.svc.cluster.local", false, "the address of Gateway ns/gw is gw-istio.ns.svc.cluster.local, only known inside the cluster"},
		{"pending", programmed(istioGW("ns", "gw", "istio"), "False", "AddressNotAssigned"), "", false, "Gateway ns/gw is Programmed=False AddressNotAssigned: m"},
		{"no status", istioGW("ns", "gw", "istio"), "", false, "Gateway ns/gw is not Programmed yet (no status from Istio)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr, ok, why := Address(c.g)
			assert.Equal(t, []any{c.addr, c.ok, c.why}, []any{addr, ok, why})
		})
	}
}

// TestStale: a Programmed condition of an older generation than the
// Gateway's (metav1.Condition.ObservedGeneration) is out of date.
func TestStale(t *testing.T) {
	at := func(gen, observed int64) *gwv1.Gateway {
		g := programmed(istioGW("ns", "gw", "istio"), "True", "Programmed", "192.0.2.1")
		g.Generation = gen
		g.Status.Conditions[0].ObservedGeneration = observed
		return g
	}
	assert.Equal(t, "", Stale(at(3, 3)), "current")
	assert.Equal(t, "", Stale(at(3, 0)), "no observedGeneration: nothing to compare")
	assert.Equal(t, "", Stale(istioGW("ns", "gw", "istio")), "no condition: Address says so")
	assert.Equal(t, "Gateway ns/gw changed (generation 4) after Istio's last report on it (Programmed of generation 3): its address and listeners may not be in effect yet; is istiod running? (kubectl get gtw -n ns gw -o yaml)", Stale(at(4, 3)))
}

func TestChooseGateway(t *testing.T) {
	own := istioGW("default", "expose-gw", "istio")
	shared := istioGW("infra", "shared", "istio")
	envoy := istioGW("default", "envoy", "eg")
	classes := map[string]string{"istio": ControllerName, "eg": "gateway.envoyproxy.io/gatewayclass-controller"}
	ref := func(ns, name string) *route.ObjectRef { return &route.ObjectRef{Namespace: ns, Name: name} }
	cases := []struct {
		name string
		gws  []*gwv1.Gateway
		ref  *route.ObjectRef
		want *gwv1.Gateway
		err  string
	}{
		{"--gateway", []*gwv1.Gateway{own, shared}, ref("infra", "shared"), shared, ""},
		{"--gateway missing", []*gwv1.Gateway{own}, ref("default", "nope"), nil, `invalid --gateway "default/nope": expected an existing Gateway API Gateway (kubectl get gtw -n default)`},
		{"--gateway of another class", []*gwv1.Gateway{envoy}, ref("default", "envoy"), nil, `invalid --gateway "default/envoy": Gateway default/envoy is of class "eg", which Istio does not program (controller istio.io/gateway-controller): expected a Gateway of class istio`},
		{"the tool's own first", []*gwv1.Gateway{shared, own}, nil, own, ""},
		{"else the only one of Istio", []*gwv1.Gateway{envoy, shared}, nil, shared, ""},
		{"several", []*gwv1.Gateway{shared, istioGW("default", "b", "istio")}, nil, nil, "several Gateways of class istio: default/b, infra/shared; pick one with --gateway"},
		{"none", []*gwv1.Gateway{envoy}, nil, nil, "no Gateway of class istio (Gateway API): create one with `kubectl expose-gw SERVICE`, or name one with --gateway"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := ChooseGateway(State{Gateways: c.gws, Classes: classes}, "default", c.ref)
			if c.err != "" {
				require.EqualError(t, err, c.err)
				return
			}
			require.NoError(t, err)
			assert.Same(t, c.want, g)
		})
	}
}

func TestListener(t *testing.T) {
	g := istioGW("ns", "gw", "istio", listener("http-a", gwv1.HTTPProtocolType, 8080, ""), listener("http", gwv1.HTTPProtocolType, 80, ""), listener("web", gwv1.HTTPSProtocolType, 443, ""))
	assert.Equal(t, gwv1.SectionName("http"), Listener(g, "http").Name, "the one named http")
	assert.Equal(t, gwv1.SectionName("web"), Listener(g, "https").Name, "else the first HTTPS")
	assert.Nil(t, Listener(istioGW("ns", "gw", "istio"), "http"))
}
