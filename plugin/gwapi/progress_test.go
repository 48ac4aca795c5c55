package gwapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Two deletes of the same moment each see the other's route and keep the
// Gateway; the round after their writes reads both gone and deletes it.
func TestPlanDeleteAfterPrunesFromAFreshRead(t *testing.T) {
	st := applied(State{}, must(t, expose()))
	web := expose()
	web.Target.Service = "web"
	web.Matches = []route.Match{{Kind: route.Prefix, Path: "/web"}}
	st = applied(st, must2(t, web, st))
	d := &route.Delete{Service: "flaskapp", Namespace: "default"}
	first, _ := PlanDelete(d, st, false)
	require.Len(t, first, 1, "web's route keeps the Gateway")
	var p Progress
	p.Record(first[0])

	without := State{Gateways: st.Gateways, Classes: st.Classes} // web's delete went meanwhile
	assert.Empty(t, plan(PlanDelete(d, without, false)), "without its progress the delete sees nothing of its own")
	ch, _ := PlanDeleteAfter(d, without, false, p)
	require.Len(t, ch, 1)
	assert.Equal(t, route.OpDelete, ch[0].Op)
	assert.Equal(t, "expose-gw", ch[0].Object.GetName())

	webOnly := without
	for _, r := range st.Routes {
		if r.Name != first[0].Object.GetName() {
			webOnly.Routes = append(webOnly.Routes, r)
		}
	}
	require.Len(t, webOnly.Routes, 1)
	ch, _ = PlanDeleteAfter(d, webOnly, false, p)
	assert.Empty(t, ch, "web's route still there: the Gateway stays")
}

// A Gateway the delete deleted that a route attaches to again (an expose
// of the same moment) is created again as it was.
func TestPlanDeleteAfterRecreatesAGatewayUsedAgain(t *testing.T) {
	st := applied(State{}, must(t, expose()))
	g := st.Gateways[0]
	g.ResourceVersion, g.UID = "7", "uid-1"
	var p Progress
	p.Record(route.Change{Op: route.OpDelete, Object: g, Before: g})
	ch, _ := PlanDeleteAfter(&route.Delete{Service: "gone", Namespace: "default"}, State{Routes: st.Routes}, false, p)
	require.Len(t, ch, 1)
	assert.Equal(t, route.OpCreate, ch[0].Op)
	re := ch[0].Object.(*gwv1.Gateway)
	assert.Empty(t, re.ResourceVersion)
	assert.Empty(t, string(re.UID))
	assert.Equal(t, g.Spec, re.Spec)
	assert.True(t, route.IsManaged(re))

	ch, _ = PlanDeleteAfter(&route.Delete{Service: "gone", Namespace: "default"}, State{}, false, p)
	assert.Empty(t, ch, "no route attaches: it stays deleted")
}
