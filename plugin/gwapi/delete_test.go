package gwapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
)

func TestDeleteRemovesRulesThenRouteThenOwnGateway(t *testing.T) {
	st := applied(State{}, must(t, expose(model.Match{Kind: model.Prefix, Path: "/env"}, model.Match{Kind: model.Exact, Path: "/v"})))
	web := expose()
	web.Target.Service = "web"
	web.Matches = []model.Match{{Kind: model.Prefix, Path: "/web"}}
	st = applied(st, must2(t, web, st))

	d := &model.Delete{Service: "flaskapp", Namespace: "default", Matches: []model.Match{{Kind: model.Exact, Path: "/v"}}}
	ch := PlanDelete(d, st, false)
	require.Len(t, ch, 1)
	assert.Equal(t, model.OpUpdate, ch[0].Op)
	assert.Len(t, ch[0].Object.(*gwv1.HTTPRoute).Spec.Rules, 1)

	d.Matches = nil
	ch = PlanDelete(d, st, false)
	require.Len(t, ch, 1, "web's route keeps the Gateway")
	assert.Equal(t, model.OpDelete, ch[0].Op)
	st = applied(st, Plan{Changes: ch})

	ch = PlanDelete(&model.Delete{Service: "web", Namespace: "default"}, st, false)
	require.Len(t, ch, 2)
	assert.Equal(t, "web-any", ch[0].Object.GetName())
	assert.Equal(t, "expose-gw", ch[1].Object.GetName(), "the last route takes the tool's Gateway with it")
	assert.Equal(t, model.OpDelete, ch[1].Op)

	assert.Len(t, PlanDelete(&model.Delete{Service: "web", Namespace: "default"}, st, true), 1, "other namespaces unknown: the Gateway stays")
	assert.Empty(t, PlanDelete(&model.Delete{Service: "nope", Namespace: "default"}, st, false))
}

func TestDeleteNeverTouchesOthersRoutes(t *testing.T) {
	r := newRoute("flaskapp-any", "default", "*", nil)
	r.Labels = map[string]string{ServiceLabel: "flaskapp"} // not managed
	assert.Empty(t, PlanDelete(&model.Delete{Service: "flaskapp", Namespace: "default"}, State{Routes: []*gwv1.HTTPRoute{r}}, false))
}
