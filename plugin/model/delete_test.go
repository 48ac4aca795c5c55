package model

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

// forcedState is a user's VirtualService (legacy, on the user's Gateway
// shop) into which expose --force merged flaskapp's route prefix /env, next
// to the user's own routes, one of them also sending to flaskapp.
func forcedState() (State, *networkingv1.VirtualService) {
	own := route("", str("/"))
	own.Route[0].Destination.Host = "legacy.default.svc.cluster.local"
	handMade := route("flaskapp-canary", pre("/canary")) // sends to flaskapp, but another name
	custom := route("flaskapp", pre("/h"))               // the name, a match the tool does not write
	custom.Match[0].Headers = map[string]*apinet.StringMatch{"x-v": {MatchType: &apinet.StringMatch_Exact{Exact: "2"}}}
	split := route("flaskapp", ex("/split")) // the name, but not only to flaskapp
	split.Route = append(split.Route, &apinet.HTTPRouteDestination{Destination: &apinet.Destination{Host: "legacy.default.svc.cluster.local"}})
	legacy := vs("legacy", false, "shop.example.com", "shop",
		route("flaskapp", pre("/env")), route("flaskapp", ex("/x")), handMade, custom, split, own)
	legacy.Labels = map[string]string{"team": "shop"}
	return State{Gateways: []*networkingv1.Gateway{gateway("shop", false, "shop.example.com")},
		VirtualServices: []*networkingv1.VirtualService{legacy}}, legacy
}

func TestPlanDeleteForce(t *testing.T) {
	st, legacy := forcedState()

	// Without --force: the error says where the routes are and what removes them.
	_, err := PlanDelete(&Delete{Service: "flaskapp", Namespace: "default"}, st)
	assert.EqualError(t, err, "no route of service default/flaskapp to delete in the VirtualServices kubectl-expose-gw manages, "+
		"but it has routes in VirtualServices kubectl-expose-gw does not manage (written there by expose --force): "+
		"default/legacy prefix /env, default/legacy exact /x; add --force to remove them")
	var nr *NoRouteError
	require.True(t, errors.As(err, &nr))
	assert.Equal(t, []string{"default/legacy prefix /env", "default/legacy exact /x"}, nr.Unmanaged)

	// --force removes only what the tool could have written, keeps the rest
	// and the object (labels, order), and never touches the user's Gateway.
	cs, err := PlanDelete(&Delete{Service: "flaskapp", Namespace: "default", Force: true}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"configured virtualservice/legacy"}, summary(cs))
	assert.Equal(t, []string{"flaskapp-canary prefix /canary", "flaskapp custom", "flaskapp exact /split", " prefix /"},
		describe(cs[0].VirtualService().Spec.Http))
	assert.Equal(t, map[string]string{"team": "shop"}, cs[0].VirtualService().Labels)
	assert.Same(t, legacy, cs[0].BeforeVS())
	assert.Len(t, legacy.Spec.Http, 6, "the read object stays as read")
	assert.False(t, KeptWhole(cs[0]))

	// --prefix and --host filter as for the tool's own VirtualServices.
	cs, err = PlanDelete(&Delete{Service: "flaskapp", Namespace: "default", Force: true, Matches: []Match{ex("/x")}}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"flaskapp prefix /env", "flaskapp-canary prefix /canary", "flaskapp custom", "flaskapp exact /split", " prefix /"},
		describe(cs[0].VirtualService().Spec.Http))
	_, err = PlanDelete(&Delete{Service: "flaskapp", Namespace: "default", Force: true, Hosts: []string{"other.example.com"}}, st)
	assert.EqualError(t, err, "no route of service default/flaskapp to delete on hosts [other.example.com]")
	_, err = PlanDelete(&Delete{Service: "flaskapp", Namespace: "default", Force: true, Matches: []Match{pre("/canary")}}, st)
	assert.EqualError(t, err, "no route of service default/flaskapp to delete matching [prefix /canary]", "a route the tool did not name is not its")

	// One that would be left without routes (Istio rejects it) is left as
	// it is, never deleted; the others are done.
	solo := vs("solo", false, "solo.example.com", "shop", route("flaskapp", pre("/")))
	cs, err = PlanDelete(&Delete{Service: "flaskapp", Namespace: "default", Force: true},
		State{VirtualServices: []*networkingv1.VirtualService{solo, legacy}})
	require.NoError(t, err)
	assert.Equal(t, []string{"unchanged virtualservice/solo", "configured virtualservice/legacy"}, summary(cs))
	assert.Same(t, solo, cs[0].VirtualService())
	assert.True(t, KeptWhole(cs[0]))
	assert.False(t, KeptWhole(cs[1]))
	cs, err = PlanDelete(&Delete{Service: "flaskapp", Namespace: "default", Force: true},
		State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "solo.example.com")},
			VirtualServices: []*networkingv1.VirtualService{vs("solo", false, "solo.example.com", "expose-gw", route("flaskapp", pre("/")))}})
	require.NoError(t, err)
	assert.Equal(t, []string{"unchanged virtualservice/solo"}, summary(cs), "its host stays on the tool's Gateway")

	// With routes of the tool's own too, they go without --force and the
	// others are reported (UnmanagedRoutes), not removed.
	mine := vs("expose-gw-any", true, "*", "expose-gw", route("flaskapp", pre("/")))
	both := State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
		VirtualServices: append([]*networkingv1.VirtualService{mine}, st.VirtualServices...)}
	d := &Delete{Service: "flaskapp", Namespace: "default"}
	cs, err = PlanDelete(d, both)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any", "deleted gateway/expose-gw"}, summary(cs))
	assert.Equal(t, []string{"default/legacy prefix /env", "default/legacy exact /x"}, UnmanagedRoutes(d, both))
	d.Force = true
	cs, err = PlanDelete(d, both)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any", "configured virtualservice/legacy", "deleted gateway/expose-gw"}, summary(cs))

	// A VirtualService of another namespace is never written.
	other := NewVirtualService("legacy", "other", "shop.example.com", []string{"default/shop"}, []*apinet.HTTPRoute{route("flaskapp", pre("/env"))})
	other.Labels = nil
	_, err = PlanDelete(&Delete{Service: "flaskapp", Namespace: "default", Force: true}, State{VirtualServices: []*networkingv1.VirtualService{other}})
	assert.EqualError(t, err, "no route of service default/flaskapp to delete")
}

// TestPlanDeleteCountsEveryVirtualService: the hosts of VirtualServices the
// tool does not manage, of any namespace, keep their Gateway servers.
func TestPlanDeleteCountsEveryVirtualService(t *testing.T) {
	mine := vs("expose-gw-any", true, "*", "expose-gw", route("flaskapp", pre("/env")))
	theirs := NewVirtualService("user-any", "other", "*", []string{"default/expose-gw"}, []*apinet.HTTPRoute{route("legacy", pre("/user"))})
	theirs.Labels = nil
	st := State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
		VirtualServices:      []*networkingv1.VirtualService{mine},
		OtherVirtualServices: []*networkingv1.VirtualService{theirs}}
	cs, err := PlanDelete(&Delete{Service: "flaskapp", Namespace: "default"}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any"}, summary(cs), "the user's VirtualService of namespace other still uses the Gateway's *")

	// One of the namespace, too.
	st.OtherVirtualServices = nil
	st.VirtualServices = append(st.VirtualServices, vs("user-any", false, "*", "expose-gw", route("legacy", pre("/user"))))
	cs, err = PlanDelete(&Delete{Service: "flaskapp", Namespace: "default"}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any"}, summary(cs))

	// Bound to another Gateway, it keeps nothing.
	st.VirtualServices[1] = vs("user-any", false, "*", "elsewhere", route("legacy", pre("/user")))
	cs, err = PlanDelete(&Delete{Service: "flaskapp", Namespace: "default"}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any", "deleted gateway/expose-gw"}, summary(cs))
}

func TestNoRouteError(t *testing.T) {
	_, err := PlanDelete(&Delete{Service: "nothing", Namespace: "default"}, State{})
	var nr *NoRouteError
	require.True(t, errors.As(err, &nr))
	assert.Empty(t, nr.Unmanaged)
	assert.EqualError(t, err, "no route of service default/nothing to delete")
}
