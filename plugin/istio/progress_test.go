package istio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Two deletes of the same moment read the same state; the second loses
// the race on the Gateway after deleting its VirtualService. Its next
// round reads its route gone: no error, and the Gateway is trimmed of its
// host from the fresh read.
func TestPlanDeleteAfterOwnRouteIsGone(t *testing.T) {
	a := vs("expose-gw-a.example.com", true, "a.example.com", "expose-gw", hr("svca", pre("/")))
	b := vs("expose-gw-b.example.com", true, "b.example.com", "expose-gw", hr("svcb", pre("/")))
	gw := gateway("expose-gw", true, "a.example.com", "b.example.com")
	st := State{Gateways: []*networkingv1.Gateway{gw}, VirtualServices: []*networkingv1.VirtualService{a, b}}
	first, err := PlanDelete(&route.Delete{Service: "svcb", Namespace: "default"}, st)
	require.NoError(t, err)
	require.Equal(t, []string{"deleted virtualservice/expose-gw-b.example.com", "configured gateway/expose-gw"}, summary(first))

	var p Progress
	p.Record(first[0]) // the VirtualService went, the Gateway's write lost
	_, err = PlanDelete(&route.Delete{Service: "svcb", Namespace: "default"}, State{Gateways: st.Gateways, VirtualServices: []*networkingv1.VirtualService{a}})
	require.Error(t, err, "without its progress, the route gone is nothing to delete")
	cs, err := PlanDeleteAfter(&route.Delete{Service: "svcb", Namespace: "default"}, State{Gateways: st.Gateways, VirtualServices: []*networkingv1.VirtualService{a}}, p)
	require.NoError(t, err)
	require.Equal(t, []string{"configured gateway/expose-gw"}, summary(cs))
	assert.Equal(t, []string{"a.example.com"}, GatewayOf(cs[0]).Spec.Servers[0].Hosts)

	// Once the other delete took a.example.com's route too, the Gateway
	// is left with nothing: it goes.
	cs, err = PlanDeleteAfter(&route.Delete{Service: "svcb", Namespace: "default"}, State{Gateways: st.Gateways}, p)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted gateway/expose-gw"}, summary(cs))

	// Nothing left to do: no change, no error.
	cs, err = PlanDeleteAfter(&route.Delete{Service: "svcb", Namespace: "default"}, State{}, p)
	require.NoError(t, err)
	assert.Empty(t, cs)
}

// A delete trimmed a host that a concurrent expose binds again (it read
// the VirtualServices before the expose wrote its own): its next round
// puts the server back, and creates again a Gateway it deleted.
func TestPlanDeleteAfterRestoresAHostBoundAgain(t *testing.T) {
	before := gateway("expose-gw", true, "a.example.com", "c.example.com")
	trimmed := gateway("expose-gw", true, "a.example.com")
	a := vs("expose-gw-a.example.com", true, "a.example.com", "expose-gw", hr("svca", pre("/")))
	c := vs("expose-gw-c.example.com", true, "c.example.com", "expose-gw", hr("svcc", pre("/")))
	p := Progress{Touched: map[route.ObjectRef]bool{{Namespace: "default", Name: "expose-gw"}: true},
		Before: map[route.ObjectRef]*networkingv1.Gateway{{Namespace: "default", Name: "expose-gw"}: before}}

	cs, err := PlanDeleteAfter(&route.Delete{Service: "svcb", Namespace: "default"},
		State{Gateways: []*networkingv1.Gateway{trimmed}, VirtualServices: []*networkingv1.VirtualService{a, c}}, p)
	require.NoError(t, err)
	require.Equal(t, []string{"configured gateway/expose-gw"}, summary(cs))
	assert.True(t, GatewayServes(GatewayOf(cs[0]), nil, []ServerSpec{{Port: 80, Protocol: "HTTP", Host: "c.example.com", Namespace: "default"}}))
	assert.True(t, GatewayServes(GatewayOf(cs[0]), nil, []ServerSpec{{Port: 80, Protocol: "HTTP", Host: "a.example.com", Namespace: "default"}}))

	cs, err = PlanDeleteAfter(&route.Delete{Service: "svcb", Namespace: "default"},
		State{Gateways: []*networkingv1.Gateway{trimmed}, VirtualServices: []*networkingv1.VirtualService{a}}, p)
	require.NoError(t, err)
	assert.Empty(t, cs, "c.example.com not bound: nothing to put back")

	cs, err = PlanDeleteAfter(&route.Delete{Service: "svcb", Namespace: "default"},
		State{VirtualServices: []*networkingv1.VirtualService{c}}, p)
	require.NoError(t, err)
	require.Equal(t, []string{"created gateway/expose-gw"}, summary(cs))
	g := GatewayOf(cs[0])
	assert.Empty(t, g.ResourceVersion)
	assert.True(t, route.IsManaged(g))
	assert.True(t, GatewayServes(g, defaultSel, []ServerSpec{{Port: 80, Protocol: "HTTP", Host: "c.example.com", Namespace: "default"}}))
	assert.False(t, GatewayServes(g, defaultSel, []ServerSpec{{Port: 80, Protocol: "HTTP", Host: "a.example.com", Namespace: "default"}}), "only the hosts bound")
}

// A re-run finds its route on the Gateway it went to, even when the tool's
// own Gateway, created since, also serves the host.
func TestPlanExposeRerunStaysWhereItsRouteIs(t *testing.T) {
	wild := userGatewayIn("default", "wild-gw", "default/*.example.com")
	e := expose("svc1", []string{"app.example.com"}, pre("/app"))
	cs, err := PlanExpose(e, State{Gateways: []*networkingv1.Gateway{wild}})
	require.NoError(t, err)
	require.Equal(t, []string{"unchanged gateway/wild-gw", "created virtualservice/" + route.VirtualServiceName("app.example.com", route.ObjectRef{Namespace: "default", Name: "wild-gw"}, "default")}, summary(cs))
	placed := VirtualServiceOf(cs[1])
	own := gateway("expose-gw", true, "*")
	cs, err = PlanExpose(e, State{Gateways: []*networkingv1.Gateway{wild, own}, VirtualServices: []*networkingv1.VirtualService{placed}})
	require.NoError(t, err)
	assert.Equal(t, []string{"unchanged gateway/wild-gw", "unchanged virtualservice/" + placed.Name}, summary(cs))
	cs, err = PlanExpose(expose("svc2", []string{"other.example.com"}, pre("/")), State{Gateways: []*networkingv1.Gateway{wild, own}, VirtualServices: []*networkingv1.VirtualService{placed}})
	require.NoError(t, err)
	assert.Equal(t, "unchanged gateway/expose-gw", summary(cs)[0], "a new host goes to the tool's own first, as before")
}

func TestMergeResults(t *testing.T) {
	gw := gateway("expose-gw", true, "a.example.com")
	v := vs("expose-gw-a.example.com", true, "a.example.com", "expose-gw")
	first := []route.Change{{Op: route.OpUnchanged, Object: gw}, {Op: route.OpCreate, Object: v}}
	mend := route.GatewayChangesOnly([]route.Change{{Op: route.OpUpdate, Object: gw, Before: gw}, {Op: route.OpUpdate, Object: v, Before: v}})
	require.Len(t, mend, 1)
	assert.Equal(t, []string{"configured gateway/expose-gw", "created virtualservice/expose-gw-a.example.com"}, summary(route.MergeResults(first, mend)))
	assert.Equal(t, summary(first), summary(route.MergeResults(first, []route.Change{{Op: route.OpUnchanged, Object: gw}})), "unchanged does not replace a write")
	assert.Equal(t, summary(first), summary(route.MergeResults(nil, first)), "the first round: all of it, unchanged ones too")
}
