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

// A rule the tool's older route gains would take an identical match from
// a newer route of someone else: refused, as the other way round.
func TestExposeRefusesToTakeAMatchFromANewerRoute(t *testing.T) {
	st := applied(State{}, must(t, expose()))
	user := newRoute("user", "default", "*", []gwv1.ParentReference{parent("", "expose-gw", "http")})
	delete(user.Labels, route.ManagedByLabel)
	user.Spec.Rules = []gwv1.HTTPRouteRule{backendRule(route.Match{Kind: route.Prefix, Path: "/api"}, route.RouteTarget{Service: "usersvc", Port: 80})}
	user.CreationTimestamp = metav1.NewTime(time.Unix(2000, 0)) // newer than flaskapp-any (1000)
	st.Routes = append(st.Routes, user)

	_, err := PlanExpose(expose(route.Match{Kind: route.Prefix, Path: "/api"}), st)
	var taken *TakenError
	require.ErrorAs(t, err, &taken)
	assert.True(t, taken.Takes)
	assert.Equal(t, "default/user", taken.Other)

	e := expose(route.Match{Kind: route.Prefix, Path: "/api"})
	e.Force = true
	p := must2(t, e, st)
	require.Len(t, p.Warnings, 1)
	assert.Contains(t, p.Warnings[0], "is taken from HTTPRoute default/user")

	// A rule the route already had is not this command's doing.
	p = must2(t, expose(), st)
	assert.Empty(t, p.Warnings)
}

// --https-redirect after --tls-secret moves the tool's own route off the
// HTTP listener: it does not compete with the redirect route there.
func TestExposeAddsARedirectAfterTLS(t *testing.T) {
	e := expose()
	e.Hosts = []string{"flask.example.com"}
	e.TLSSecret = "flask-cert"
	st := applied(State{}, must(t, e))
	e.HTTPSRedirect = true
	p := must2(t, e, st)
	require.Len(t, p.Changes, 3)
	main := p.Changes[1].Object.(*gwv1.HTTPRoute)
	assert.Equal(t, []gwv1.ParentReference{parent("", "expose-gw", "https")}, main.Spec.ParentRefs)
	assert.Equal(t, route.OpCreate, p.Changes[2].Op)
}

// A second and third namespace on the tool's Gateway elsewhere: its
// listener takes their routes (one listener per port, protocol and
// hostname, as the Gateway API requires), never a duplicate.
func TestExposeSharesTheToolsGatewayAcrossNamespaces(t *testing.T) {
	st := State{}
	for _, ns := range []string{"a", "b", "c"} {
		e := expose(route.Match{Kind: route.Prefix, Path: "/" + ns})
		e.Target.Namespace = ns
		e.Gateway = &route.ObjectRef{Namespace: "shared", Name: "expose-gw"}
		st.NamespaceLabels = map[string]string{"kubernetes.io/metadata.name": ns}
		st = applied(st, must2(t, e, st))
	}
	require.Len(t, st.Gateways, 1)
	g := st.Gateways[0]
	require.Len(t, g.Spec.Listeners, 1, "one http listener on port 80")
	assert.Equal(t, []string{"a", "b", "c"}, g.Spec.Listeners[0].AllowedRoutes.Namespaces.Selector.MatchExpressions[0].Values)
	assert.Len(t, st.Routes, 3)
}

// The listener with the Secret is found past one of another certificate.
func TestExposeFindsTheListenerWithTheSecret(t *testing.T) {
	tls := func(name, host, secret string) gwv1.Listener {
		return gwv1.Listener{Name: gwv1.SectionName(name), Port: 443, Protocol: gwv1.HTTPSProtocolType, Hostname: ptr.To(gwv1.Hostname(host)),
			TLS: &gwv1.ListenerTLSConfig{CertificateRefs: []gwv1.SecretObjectReference{{Name: gwv1.ObjectName(secret)}}}}
	}
	g := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "edge", Namespace: "default"},
		Spec: gwv1.GatewaySpec{GatewayClassName: "istio", Listeners: []gwv1.Listener{
			{Name: "http", Port: 80, Protocol: gwv1.HTTPProtocolType},
			tls("wild", "*.example.com", "wild-cert"), tls("foo", "foo.example.com", "foo-cert")}}}
	e := expose()
	e.Hosts = []string{"foo.example.com"}
	e.TLSSecret = "foo-cert"
	e.Gateway = &route.ObjectRef{Namespace: "default", Name: "edge"}
	p := must2(t, e, State{Gateways: []*gwv1.Gateway{g}})
	r := p.Changes[1].Object.(*gwv1.HTTPRoute)
	assert.Equal(t, "foo", string(*r.Spec.ParentRefs[1].SectionName))

	e.TLSSecret = "other-cert"
	_, err := PlanExpose(e, State{Gateways: []*gwv1.Gateway{g}})
	var oc *OtherCertificateError
	assert.ErrorAs(t, err, &oc)
}

// The redirect goes to the HTTPS listener's port when it is not 443.
func TestRedirectToTheHTTPSListenersPort(t *testing.T) {
	g := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "edge", Namespace: "default"},
		Spec: gwv1.GatewaySpec{GatewayClassName: "istio", Listeners: []gwv1.Listener{
			{Name: "http", Port: 8080, Protocol: gwv1.HTTPProtocolType},
			{Name: "https", Port: 8443, Protocol: gwv1.HTTPSProtocolType,
				TLS: &gwv1.ListenerTLSConfig{CertificateRefs: []gwv1.SecretObjectReference{{Name: "cert"}}}}}}}
	e := expose()
	e.TLSSecret, e.HTTPSRedirect = "cert", true
	e.Gateway = &route.ObjectRef{Namespace: "default", Name: "edge"}
	p := must2(t, e, State{Gateways: []*gwv1.Gateway{g}})
	red := p.Changes[2].Object.(*gwv1.HTTPRoute)
	assert.Equal(t, gwv1.PortNumber(8443), *red.Spec.Rules[0].Filters[0].RequestRedirect.Port)

	own := must(t, e) // the tool's Gateway: 443, Istio's default
	assert.Nil(t, own.Changes[2].Object.(*gwv1.HTTPRoute).Spec.Rules[0].Filters[0].RequestRedirect.Port)
}

// list: a route with several hostnames is shadowed only on the one an
// older route has.
func TestListShadowsPerHostname(t *testing.T) {
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "expose-gw", Namespace: "default"},
		Spec: gwv1.GatewaySpec{GatewayClassName: "istio", Listeners: []gwv1.Listener{{Name: "http", Port: 80, Protocol: gwv1.HTTPProtocolType}}}}
	mk := func(name string, at int64, hosts ...gwv1.Hostname) *gwv1.HTTPRoute {
		r := newRoute(name, "default", "*", []gwv1.ParentReference{parent("", "expose-gw", "http")})
		r.Spec.Hostnames = hosts
		r.CreationTimestamp = metav1.NewTime(time.Unix(at, 0))
		r.Spec.Rules = []gwv1.HTTPRouteRule{backendRule(route.Match{Kind: route.Prefix, Path: "/"}, route.RouteTarget{Service: name, Namespace: "default", Port: 80})}
		return r
	}
	rows := ListRoutes(State{Gateways: []*gwv1.Gateway{gw}, Routes: []*gwv1.HTTPRoute{mk("old", 1, "a.com"), mk("new", 2, "a.com", "b.com")}})
	status := map[string]string{}
	for _, r := range rows {
		status[r.HTTPRoute+" "+r.Host] = r.Status
	}
	assert.Equal(t, "shadowed by default/old", status["new a.com"])
	assert.Equal(t, "pending", status["new b.com"], "b.com has no older route (no status from Istio yet)")
	assert.Equal(t, "pending", status["old a.com"])
}
