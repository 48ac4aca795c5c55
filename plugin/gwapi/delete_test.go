package gwapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

func TestDeleteRemovesRulesThenRouteThenOwnGateway(t *testing.T) {
	st := applied(State{}, must(t, expose(route.Match{Kind: route.Prefix, Path: "/env"}, route.Match{Kind: route.Exact, Path: "/v"})))
	web := expose()
	web.Target.Service = "web"
	web.Matches = []route.Match{{Kind: route.Prefix, Path: "/web"}}
	st = applied(st, must2(t, web, st))

	d := &route.Delete{Service: "flaskapp", Namespace: "default", Matches: []route.Match{{Kind: route.Exact, Path: "/v"}}}
	ch := plan(PlanDelete(d, st, false))
	require.Len(t, ch, 1)
	assert.Equal(t, route.OpUpdate, ch[0].Op)
	assert.Len(t, ch[0].Object.(*gwv1.HTTPRoute).Spec.Rules, 1)

	d.Matches = nil
	ch = plan(PlanDelete(d, st, false))
	require.Len(t, ch, 1, "web's route keeps the Gateway")
	assert.Equal(t, route.OpDelete, ch[0].Op)
	st = applied(st, Plan{Changes: ch})

	ch = plan(PlanDelete(&route.Delete{Service: "web", Namespace: "default"}, st, false))
	require.Len(t, ch, 2)
	assert.Equal(t, "web-any", ch[0].Object.GetName())
	assert.Equal(t, "expose-gw", ch[1].Object.GetName(), "the last route takes the tool's Gateway with it")
	assert.Equal(t, route.OpDelete, ch[1].Op)

	assert.Len(t, plan(PlanDelete(&route.Delete{Service: "web", Namespace: "default"}, st, true)), 1, "other namespaces unknown: the Gateway stays")
	assert.Empty(t, plan(PlanDelete(&route.Delete{Service: "nope", Namespace: "default"}, st, false)))
}

func TestDeleteNeverTouchesOthersRoutes(t *testing.T) {
	r := newRoute("flaskapp-any", "default", "*", nil)
	r.Labels = map[string]string{ServiceLabel: "flaskapp"} // not managed
	assert.Empty(t, plan(PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, State{Routes: []*gwv1.HTTPRoute{r}}, false)))
}

func plan(c []route.Change, _ []string) []route.Change { return c }

// A user's GRPCRoute attached to the tool's Gateway keeps it when the last
// HTTPRoute goes, and only while it is attached.
func TestDeleteKeepsAGatewayOtherRoutesUse(t *testing.T) {
	st := applied(State{}, must(t, expose()))
	ref := route.ObjectRef{Namespace: "default", Name: "expose-gw"}
	st.Attached = map[route.ObjectRef][]string{ref: {"GRPCRoute default/user-grpc"}}
	ch, warnings := PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, st, false)
	require.Len(t, ch, 1)
	require.Len(t, warnings, 1)
	assert.Equal(t, "Gateway default/expose-gw is kept: GRPCRoute default/user-grpc attached to it; delete it yourself when they are gone", warnings[0])
	st.Attached = nil
	ch, warnings = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, st, false)
	assert.Len(t, ch, 2, "nothing else attached: the Gateway goes")
	assert.Empty(t, warnings)
}

// Where the other kinds cannot be read, Istio's count of the routes
// attached (status.listeners[].attachedRoutes) stands in for them.
func TestDeleteKeepsAGatewayIstioCountsRoutesOn(t *testing.T) {
	st := applied(State{}, must(t, expose()))
	st.AttachedUnknown = true
	st.Gateways[0].Status.Listeners = []gwv1.ListenerStatus{{Name: "http", AttachedRoutes: 2}} // flaskapp-any and a GRPCRoute
	ch, warnings := PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, st, false)
	require.Len(t, ch, 1)
	assert.Equal(t, "flaskapp-any", ch[0].Object.GetName())
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "Gateway default/expose-gw is kept")

	st.Gateways[0].Status.Listeners[0].AttachedRoutes = 1 // only ours
	ch, warnings = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, st, false)
	assert.Len(t, ch, 2)
	assert.Empty(t, warnings)
}
