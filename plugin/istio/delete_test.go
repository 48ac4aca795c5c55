package istio

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// forcedState is a user's VirtualService (legacy, on the user's Gateway
// shop) into which expose --force merged flaskapp's route prefix /env, next
// to the user's own routes, one of them also sending to flaskapp.
func forcedState() (State, *networkingv1.VirtualService) {
	own := hr("", str("/"))
	own.Route[0].Destination.Host = "legacy.default.svc.cluster.local"
	handMade := hr("flaskapp-canary", pre("/canary")) // sends to flaskapp, but another name
	custom := hr("flaskapp", pre("/h"))               // the name, a match the tool does not write
	custom.Match[0].Headers = map[string]*apinet.StringMatch{"x-v": {MatchType: &apinet.StringMatch_Exact{Exact: "2"}}}
	split := hr("flaskapp", ex("/split")) // the name, but not only to flaskapp
	split.Route = append(split.Route, &apinet.HTTPRouteDestination{Destination: &apinet.Destination{Host: "legacy.default.svc.cluster.local"}})
	legacy := vs("legacy", false, "shop.example.com", "shop",
		hr("flaskapp", pre("/env")), hr("flaskapp", ex("/x")), handMade, custom, split, own)
	legacy.Labels = map[string]string{"team": "shop"}
	return State{Gateways: []*networkingv1.Gateway{gateway("shop", false, "shop.example.com")},
		VirtualServices: []*networkingv1.VirtualService{legacy}}, legacy
}

func TestPlanDeleteForce(t *testing.T) {
	st, legacy := forcedState()

	// Without --force: the error says where the routes are and what removes them.
	_, err := PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, st)
	assert.EqualError(t, err, "no route of service default/flaskapp to delete in the VirtualServices kubectl-expose-gw manages, "+
		"but it has routes in VirtualServices kubectl-expose-gw does not manage (written there by expose --force): "+
		"default/legacy prefix /env, default/legacy exact /x; add --force to remove them")
	var nr *route.NoRouteError
	require.True(t, errors.As(err, &nr))
	assert.Equal(t, []string{"default/legacy prefix /env", "default/legacy exact /x"}, nr.Unmanaged)

	// --force removes only what the tool could have written, keeps the rest
	// and the object (labels, order), and never touches the user's Gateway.
	cs, err := PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default", Force: true}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"configured virtualservice/legacy"}, summary(cs))
	assert.Equal(t, []string{"flaskapp-canary prefix /canary", "flaskapp custom", "flaskapp exact /split", " prefix /"},
		describe(VirtualServiceOf(cs[0]).Spec.Http))
	assert.Equal(t, map[string]string{"team": "shop"}, VirtualServiceOf(cs[0]).Labels)
	assert.Same(t, legacy, BeforeVS(cs[0]))
	assert.Len(t, legacy.Spec.Http, 6, "the read object stays as read")
	assert.False(t, KeptWhole(cs[0]))

	// --prefix and --host filter as for the tool's own VirtualServices.
	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default", Force: true, Matches: []route.Match{ex("/x")}}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"flaskapp prefix /env", "flaskapp-canary prefix /canary", "flaskapp custom", "flaskapp exact /split", " prefix /"},
		describe(VirtualServiceOf(cs[0]).Spec.Http))
	_, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default", Force: true, Hosts: []string{"other.example.com"}}, st)
	assert.EqualError(t, err, "no route of service default/flaskapp to delete on hosts [other.example.com]")
	_, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default", Force: true, Matches: []route.Match{pre("/canary")}}, st)
	assert.EqualError(t, err, "no route of service default/flaskapp to delete matching [prefix /canary]", "a route the tool did not name is not its")

	// One that would be left without routes (Istio rejects it) is left as
	// it is, never deleted; the others are done.
	solo := vs("solo", false, "solo.example.com", "shop", hr("flaskapp", pre("/")))
	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default", Force: true},
		State{VirtualServices: []*networkingv1.VirtualService{solo, legacy}})
	require.NoError(t, err)
	assert.Equal(t, []string{"unchanged virtualservice/solo", "configured virtualservice/legacy"}, summary(cs))
	assert.Same(t, solo, VirtualServiceOf(cs[0]))
	assert.True(t, KeptWhole(cs[0]))
	assert.False(t, KeptWhole(cs[1]))
	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default", Force: true},
		State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "solo.example.com")},
			VirtualServices: []*networkingv1.VirtualService{vs("solo", false, "solo.example.com", "expose-gw", hr("flaskapp", pre("/")))}})
	require.NoError(t, err)
	assert.Equal(t, []string{"unchanged virtualservice/solo"}, summary(cs), "its host stays on the tool's Gateway")

	// With routes of the tool's own too, they go without --force and the
	// others are reported (UnmanagedRoutes), not removed.
	mine := vs("expose-gw-any", true, "*", "expose-gw", hr("flaskapp", pre("/")))
	both := State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
		VirtualServices: append([]*networkingv1.VirtualService{mine}, st.VirtualServices...)}
	d := &route.Delete{Service: "flaskapp", Namespace: "default"}
	cs, err = PlanDelete(d, both)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any", "deleted gateway/expose-gw"}, summary(cs))
	assert.Equal(t, []string{"default/legacy prefix /env", "default/legacy exact /x"}, UnmanagedRoutes(d, both))
	d.Force = true
	cs, err = PlanDelete(d, both)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any", "configured virtualservice/legacy", "deleted gateway/expose-gw"}, summary(cs))

	// A VirtualService of another namespace is never written.
	other := NewVirtualService("legacy", "other", "shop.example.com", []string{"default/shop"}, []*apinet.HTTPRoute{hr("flaskapp", pre("/env"))})
	other.Labels = nil
	_, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default", Force: true}, State{VirtualServices: []*networkingv1.VirtualService{other}})
	assert.EqualError(t, err, "no route of service default/flaskapp to delete")
}

// TestPlanDeleteCountsEveryVirtualService: the hosts of VirtualServices the
// tool does not manage, of any namespace, keep their Gateway servers.
func TestPlanDeleteCountsEveryVirtualService(t *testing.T) {
	mine := vs("expose-gw-any", true, "*", "expose-gw", hr("flaskapp", pre("/env")))
	theirs := NewVirtualService("user-any", "other", "*", []string{"default/expose-gw"}, []*apinet.HTTPRoute{hr("legacy", pre("/user"))})
	theirs.Labels = nil
	st := State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
		VirtualServices:      []*networkingv1.VirtualService{mine},
		OtherVirtualServices: []*networkingv1.VirtualService{theirs}}
	cs, err := PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any"}, summary(cs), "the user's VirtualService of namespace other still uses the Gateway's *")

	// One of the namespace, too.
	st.OtherVirtualServices = nil
	st.VirtualServices = append(st.VirtualServices, vs("user-any", false, "*", "expose-gw", hr("legacy", pre("/user"))))
	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any"}, summary(cs))

	// Bound to another Gateway, it keeps nothing.
	st.VirtualServices[1] = vs("user-any", false, "*", "elsewhere", hr("legacy", pre("/user")))
	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any", "deleted gateway/expose-gw"}, summary(cs))
}

func TestNoRouteError(t *testing.T) {
	_, err := PlanDelete(&route.Delete{Service: "nothing", Namespace: "default"}, State{})
	var nr *route.NoRouteError
	require.True(t, errors.As(err, &nr))
	assert.Empty(t, nr.Unmanaged)
	assert.EqualError(t, err, "no route of service default/nothing to delete")
}
