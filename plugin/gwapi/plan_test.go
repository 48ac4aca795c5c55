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

func expose(matches ...route.Match) *route.Expose {
	if len(matches) == 0 {
		matches = []route.Match{{Kind: route.Prefix, Path: "/env"}}
	}
	return &route.Expose{
		Target:  route.RouteTarget{Service: "flaskapp", Namespace: "default", Port: 80},
		Matches: matches, Hosts: []string{"*"},
	}
}

// applied is st after the plan's changes, as the apiserver would keep
// them (creation times set).
func applied(st State, p Plan) State {
	now := metav1.NewTime(time.Unix(1000, 0))
	for _, c := range p.Changes {
		switch o := c.Object.(type) {
		case *gwv1.Gateway:
			st.Gateways = replace(st.Gateways, o, c.Op, now)
		case *gwv1.HTTPRoute:
			st.Routes = replace(st.Routes, o, c.Op, now)
		}
	}
	return st
}

func replace[T interface {
	*gwv1.Gateway | *gwv1.HTTPRoute
	route.Object
}](objs []T, o T, op route.Op, now metav1.Time) []T {
	var out []T
	for _, x := range objs {
		if x.GetNamespace() != o.GetNamespace() || x.GetName() != o.GetName() {
			out = append(out, x)
		}
	}
	if op == route.OpDelete {
		return out
	}
	if ts := o.GetCreationTimestamp(); ts.IsZero() {
		o.SetCreationTimestamp(now)
	}
	return append(out, o)
}

func TestExposeCreatesGatewayAndRoute(t *testing.T) {
	p, err := PlanExpose(expose(), State{})
	require.NoError(t, err)
	require.Len(t, p.Changes, 2)
	g := p.Changes[0].Object.(*gwv1.Gateway)
	assert.Equal(t, route.OpCreate, p.Changes[0].Op)
	assert.Equal(t, "default/expose-gw", g.Namespace+"/"+g.Name)
	assert.Equal(t, gwv1.ObjectName("istio"), g.Spec.GatewayClassName)
	require.Len(t, g.Spec.Listeners, 1)
	assert.Equal(t, gwv1.Listener{Name: "http", Port: 80, Protocol: gwv1.HTTPProtocolType}, g.Spec.Listeners[0])
	assert.True(t, route.IsManaged(g))

	r := p.Changes[1].Object.(*gwv1.HTTPRoute)
	assert.Equal(t, "flaskapp-any", r.Name)
	assert.Empty(t, r.Spec.Hostnames, `"*" is a route without hostnames`)
	assert.Equal(t, []gwv1.ParentReference{parent("", "expose-gw", "http")}, r.Spec.ParentRefs)
	require.Len(t, r.Spec.Rules, 1)
	rule := r.Spec.Rules[0]
	assert.Equal(t, gwv1.PathMatchPathPrefix, *rule.Matches[0].Path.Type)
	assert.Equal(t, "/env", *rule.Matches[0].Path.Value)
	assert.Equal(t, gwv1.ObjectName("flaskapp"), rule.BackendRefs[0].Name)
	assert.Equal(t, gwv1.PortNumber(80), *rule.BackendRefs[0].Port)
	assert.Equal(t, "flaskapp", r.Labels[ServiceLabel])

	again, err := PlanExpose(expose(), applied(State{}, p))
	require.NoError(t, err)
	for _, c := range again.Changes {
		assert.Equal(t, route.OpUnchanged, c.Op, "exposing twice changes nothing: %s", c.Ref())
	}
}

func TestExposeMergesRulesAndRewrites(t *testing.T) {
	st := applied(State{}, must(t, expose()))
	e := expose(route.Match{Kind: route.Exact, Path: "/version"})
	e.Target.Rewrite = "/v"
	p := must2(t, e, st)
	assert.Equal(t, route.OpUnchanged, p.Changes[0].Op)
	assert.Equal(t, route.OpUpdate, p.Changes[1].Op)
	r := p.Changes[1].Object.(*gwv1.HTTPRoute)
	require.Len(t, r.Spec.Rules, 2)
	assert.Equal(t, "/version", *r.Spec.Rules[0].Matches[0].Path.Value, "exact first")
	mod := r.Spec.Rules[0].Filters[0].URLRewrite.Path
	assert.Equal(t, gwv1.FullPathHTTPPathModifier, mod.Type, "an exact path is rewritten whole")
	assert.Equal(t, "/v", *mod.ReplaceFullPath)

	e = expose()
	e.Target.Rewrite = "/"
	r = must2(t, e, st).Changes[1].Object.(*gwv1.HTTPRoute)
	mod = r.Spec.Rules[0].Filters[0].URLRewrite.Path
	assert.Equal(t, gwv1.PrefixMatchHTTPPathModifier, mod.Type)
	assert.Equal(t, "/", *mod.ReplacePrefixMatch)

	// Istio writes ReplacePrefixMatch R as a plain prefix rewrite without
	// R's trailing "/": for prefix "/" that makes /x R+"x" (checked through
	// Istio's routes), so the tool refuses it rather than misroute.
	e = expose(route.Match{Kind: route.Prefix, Path: "/"})
	e.Target.Rewrite = "/v2"
	_, err := PlanExpose(e, State{})
	assert.EqualError(t, err, `invalid --rewrite "/v2" with --prefix "/" for the Gateway API: Istio turns ReplacePrefixMatch /v2 of prefix / into a plain prefix rewrite, /x would become /v2x; use a longer --prefix, or --api istio`)
	e.Target.Rewrite = "/"
	_, err = PlanExpose(e, State{})
	assert.NoError(t, err, "rewriting / to / is nothing")
}

// parent is a parentRef as the apiserver stores it (group and kind
// defaulted).
func parent(ns, name, section string) gwv1.ParentReference {
	p := gwv1.ParentReference{Group: ptr.To(gwv1.Group("gateway.networking.k8s.io")), Kind: ptr.To(gwv1.Kind("Gateway")),
		Name: gwv1.ObjectName(name), SectionName: ptr.To(gwv1.SectionName(section))}
	if ns != "" {
		p.Namespace = ptr.To(gwv1.Namespace(ns))
	}
	return p
}

// TestExposeTwiceOverWhatTheServerStores: a route as written by hand
// without the CRD's defaults, or stored with them, is the same route.
func TestExposeTwiceOverWhatTheServerStores(t *testing.T) {
	st := applied(State{}, must(t, expose()))
	r := st.Routes[0]
	bare := r.DeepCopy()
	bare.Spec.ParentRefs[0].Group, bare.Spec.ParentRefs[0].Kind = nil, nil
	bare.Spec.Rules[0].BackendRefs[0].Weight = nil
	bare.Spec.Rules[0].BackendRefs[0].Kind = nil
	st.Routes = []*gwv1.HTTPRoute{bare}
	p := must2(t, expose(), st)
	assert.Equal(t, route.OpUnchanged, p.Changes[1].Op)
	assert.Len(t, p.Changes[1].Object.(*gwv1.HTTPRoute).Spec.ParentRefs, 1, "no second parentRef for the same listener")

	e := expose()
	e.Target.Port = 8080
	p = must2(t, e, st)
	assert.Equal(t, route.OpUpdate, p.Changes[1].Op, "another port is another rule")
}

func must(t *testing.T, e *route.Expose) Plan { return must2(t, e, State{}) }

func must2(t *testing.T, e *route.Expose, st State) Plan {
	t.Helper()
	p, err := PlanExpose(e, st)
	require.NoError(t, err)
	return p
}

func sharedGateway(from gwv1.FromNamespaces) *gwv1.Gateway {
	return &gwv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: "shared", Namespace: "infra", CreationTimestamp: metav1.NewTime(time.Unix(10, 0))},
		Spec: gwv1.GatewaySpec{GatewayClassName: "istio", Listeners: []gwv1.Listener{{
			Name: "web", Port: 80, Protocol: gwv1.HTTPProtocolType,
			AllowedRoutes: &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr.To(from)}},
		}}},
	}
}

func TestExposeUsesAnExistingGatewayThatTakesTheRoute(t *testing.T) {
	st := State{Gateways: []*gwv1.Gateway{sharedGateway(gwv1.NamespacesFromAll)}}
	p := must2(t, expose(), st)
	assert.Equal(t, route.OpUnchanged, p.Changes[0].Op, "another's Gateway is never changed")
	assert.Contains(t, p.Note, "infra/shared")
	r := p.Changes[1].Object.(*gwv1.HTTPRoute)
	assert.Equal(t, []gwv1.ParentReference{parent("infra", "shared", "web")}, r.Spec.ParentRefs)
	assert.NotEqual(t, "flaskapp-any", r.Name, "the name tells the gateway")

	// Same-namespace routes only: not for default; a new own Gateway.
	st = State{Gateways: []*gwv1.Gateway{sharedGateway(gwv1.NamespacesFromSame)}}
	p = must2(t, expose(), st)
	assert.Equal(t, route.OpCreate, p.Changes[0].Op)
	assert.Empty(t, p.Note)

	// A class Istio does not program is never picked.
	g := sharedGateway(gwv1.NamespacesFromAll)
	g.Spec.GatewayClassName = "other"
	p = must2(t, expose(), State{Gateways: []*gwv1.Gateway{g}, Classes: map[string]string{"other": "example.com/gw"}})
	assert.Equal(t, route.OpCreate, p.Changes[0].Op)
}

func TestExposeExplainsAGatewayThatRefusesTheRoute(t *testing.T) {
	e := expose()
	e.Gateway = &route.ObjectRef{Namespace: "infra", Name: "shared"}
	_, err := PlanExpose(e, State{Gateways: []*gwv1.Gateway{sharedGateway(gwv1.NamespacesFromSame)}})
	require.Error(t, err)
	assert.Equal(t, `Gateway infra/shared does not allow routes from namespace default on listener "web": add allowedRoutes.namespaces.from: All to it (or a Selector matching namespace default)`, err.Error())

	g := sharedGateway(gwv1.NamespacesFromAll)
	g.Spec.GatewayClassName = "other"
	_, err = PlanExpose(e, State{Gateways: []*gwv1.Gateway{g}, Classes: map[string]string{"other": "example.com/gw"}})
	assert.ErrorContains(t, err, `Gateway infra/shared is of class "other", which Istio does not program`)

	g = sharedGateway(gwv1.NamespacesFromAll)
	g.Spec.Listeners[0].Hostname = ptr.To(gwv1.Hostname("*.example.com"))
	e.Hosts = []string{"flask.other.org"}
	_, err = PlanExpose(e, State{Gateways: []*gwv1.Gateway{g}})
	assert.ErrorContains(t, err, `Gateway infra/shared has no HTTP listener for host "flask.other.org"`)
	e.Hosts = []string{"flask.example.com"}
	_, err = PlanExpose(e, State{Gateways: []*gwv1.Gateway{g}})
	assert.NoError(t, err)
}

func TestExposeNamedGatewayElsewhereIsCreatedForTheNamespace(t *testing.T) {
	e := expose()
	e.Gateway = &route.ObjectRef{Namespace: "infra", Name: "edge"}
	p := must(t, e)
	g := p.Changes[0].Object.(*gwv1.Gateway)
	assert.Equal(t, route.OpCreate, p.Changes[0].Op)
	assert.Equal(t, "infra/edge", g.Namespace+"/"+g.Name)
	ar := g.Spec.Listeners[0].AllowedRoutes
	require.NotNil(t, ar, "routes of default may attach")
	assert.Equal(t, []metav1.LabelSelectorRequirement{{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: []string{"default"}}},
		ar.Namespaces.Selector.MatchExpressions)
	// The listener it wrote takes the route: nothing more to add.
	again := must2(t, e, applied(State{}, p))
	assert.Equal(t, route.OpUnchanged, again.Changes[0].Op)
}

func TestExposeRefusesAMatchAnOlderRouteHas(t *testing.T) {
	st := applied(State{}, must(t, expose()))
	other := expose()
	other.Target.Service = "other"
	_, err := PlanExpose(other, st)
	var taken *TakenError
	require.ErrorAs(t, err, &taken)
	assert.Equal(t, `prefix /env on host "*" of Gateway default/expose-gw is already routed by the older HTTPRoute default/flaskapp-any (Gateway API gives identical matches to the oldest route): add --force to write it anyway`, err.Error())

	other.Force = true
	p := must2(t, other, st)
	require.Len(t, p.Warnings, 1)
	assert.Contains(t, p.Warnings[0], "stays with the older HTTPRoute default/flaskapp-any")

	// Another host, another match, or a more specific host: no conflict.
	other.Force = false
	other.Hosts = []string{"flask.example.com"}
	_, err = PlanExpose(other, st)
	assert.NoError(t, err, "a route for a name is not shadowed by one for every name")
	other.Hosts = []string{"*"}
	other.Matches = []route.Match{{Kind: route.Prefix, Path: "/envoy"}}
	_, err = PlanExpose(other, st)
	assert.NoError(t, err)
}

func TestExposeRefusesANamesake(t *testing.T) {
	r := newRoute("flaskapp-any", "default", "*", nil)
	delete(r.Labels, route.ManagedByLabel)
	_, err := PlanExpose(expose(), State{Routes: []*gwv1.HTTPRoute{r}})
	assert.ErrorContains(t, err, "HTTPRoute default/flaskapp-any exists and is not the route kubectl-expose-gw writes")
}
