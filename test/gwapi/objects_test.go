package gwapi

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

func ptr[T any](v T) *T { return &v }

// gateway is a Gateway of class istio with one HTTP listener "http" on
// port 80 (routes from its own namespace, the default).
func gateway(ns, name string) *gatewayv1.Gateway {
	return &gatewayv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: gatewayv1.GatewaySpec{
			GatewayClassName: "istio",
			Listeners:        []gatewayv1.Listener{{Name: "http", Port: 80, Protocol: gatewayv1.HTTPProtocolType}},
		},
	}
}

// route is an HTTPRoute in ns attached to Gateway gwNS/gw sending
// PathPrefix prefix to Service svc port 80 (in ns), for hosts.
func route(ns, name, gwNS, gw, prefix, svc string, hosts ...string) *gatewayv1.HTTPRoute {
	var hs []gatewayv1.Hostname
	for _, h := range hosts {
		hs = append(hs, gatewayv1.Hostname(h))
	}
	return &gatewayv1.HTTPRoute{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: gatewayv1.HTTPRouteSpec{
			CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{{
				Name: gatewayv1.ObjectName(gw), Namespace: ptr(gatewayv1.Namespace(gwNS))}}},
			Hostnames: hs,
			Rules: []gatewayv1.HTTPRouteRule{{
				Matches: []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{
					Type: ptr(gatewayv1.PathMatchPathPrefix), Value: ptr(prefix)}}},
				BackendRefs: []gatewayv1.HTTPBackendRef{{BackendRef: gatewayv1.BackendRef{
					BackendObjectReference: gatewayv1.BackendObjectReference{
						Name: gatewayv1.ObjectName(svc), Port: ptr(gatewayv1.PortNumber(80))}}}},
			}},
		},
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// setProbeListener adds (on) or removes a listener "probe" on port 8081 of
// the tool's Gateway default/expose-gw: a new generation of its spec, which
// Istio has not reported on until the next Sync.
func setProbeListener(t *testing.T, env *testenv.Env, on bool) {
	t.Helper()
	gws := env.GatewayAPI.GatewayV1().Gateways("default")
	g, err := gws.Get(env.Ctx(), "expose-gw", metav1.GetOptions{})
	require.NoError(t, err)
	var ls []gatewayv1.Listener
	for _, l := range g.Spec.Listeners {
		if l.Name != "probe" {
			ls = append(ls, l)
		}
	}
	if on {
		ls = append(ls, gatewayv1.Listener{Name: "probe", Port: 8081, Protocol: gatewayv1.HTTPProtocolType})
	}
	g.Spec.Listeners = ls
	_, err = gws.Update(env.Ctx(), g, metav1.UpdateOptions{})
	require.NoError(t, err)
}
