package explain

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestExplainGatewayAPI: explain through a Gateway of class istio, with
// the tool's HTTPRoute and a hand-written one, checked against Istio.
func TestExplainGatewayAPI(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.CreateApp(testenv.App{Name: "flaskapp"})
	ctx := env.Ctx()
	_, err := env.GatewayAPI.GatewayV1().Gateways("default").Create(ctx, sharedGateway(), metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()
	r := env.Kubectl("expose-gw", "flaskapp", "--api", "gateway-api", "--gateway", "shared", "--prefix", "/env", "--host", "shop.test")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	hr := &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: "default"}}
	hr.Spec.ParentRefs = []gwv1.ParentReference{{Name: "shared"}}
	hr.Spec.Hostnames = []gwv1.Hostname{"shop.test"}
	b := func(name string) []gwv1.HTTPBackendRef {
		return []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Name: gwv1.ObjectName(name), Port: ptr.To(gwv1.PortNumber(80))}}}}
	}
	prefix := func(p string) []gwv1.HTTPRouteMatch {
		return []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchPathPrefix), Value: ptr.To(p)}}}
	}
	hr.Spec.Rules = []gwv1.HTTPRouteRule{
		{Matches: prefix("/ghost"), BackendRefs: b("ghost")},
		{Matches: prefix("/none")},
		{Matches: prefix("/env/deeper"), BackendRefs: b("flaskapp")},
	}
	_, err = env.GatewayAPI.GatewayV1().HTTPRoutes("default").Create(ctx, hr, metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()
	addr := env.PortForward("default", env.GatewayPod("default", "shared"), 80)
	args := []string{"--api", "gateway-api", "--gateway", "default/shared"}

	agree := func(t *testing.T, path string) route.Explanation {
		t.Helper()
		e, _ := explain(t, env, "http://shop.test"+path, args...)
		status, d := send(t, addr, "GET", "shop.test", path, nil)
		why := disagreement(e, status, d, "", func(ns, name string, rule int) string { return ns + "." + name + "." + itoa(rule) })
		assert.Empty(t, why, "GET %s", path)
		return e
	}
	t.Run("routed by the tool's route", func(t *testing.T) {
		e := agree(t, "/env/x")
		assert.Equal(t, route.OutcomeRouted, e.Outcome)
		assert.Equal(t, &route.ExplainServer{Kind: "Gateway", APIVersion: "gateway.networking.k8s.io/v1", Namespace: "default", Name: "shared", Listener: "any"}, e.Server)
		require.NotNil(t, e.Route)
		assert.Equal(t, "HTTPRoute", e.Route.Kind)
	})
	t.Run("a longer prefix of another route wins by precedence", func(t *testing.T) {
		e := agree(t, "/env/deeper/y")
		require.NotNil(t, e.Route)
		assert.Equal(t, route.ExplainRoute{Kind: "HTTPRoute", Namespace: "default", Name: "legacy", Rule: 2, Match: "pathprefix /env/deeper"}, *e.Route)
		require.Len(t, e.Shadowed, 1)
		assert.Contains(t, e.Shadowed[0].Reason, "Gateway API precedence")
	})
	t.Run("--live: the Gateway's pod runs what the objects say", func(t *testing.T) {
		e, r := liveOf(t, env, "http://shop.test/env/deeper/y", args...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.True(t, e.Live.Agrees, e.Live.Difference)
		assert.Equal(t, "default/shared-istio-0", e.Live.Pod)
		assert.Equal(t, "default.legacy.2", e.Live.Route, "Istio's name of HTTPRoute default/legacy rule 2")
		assert.Equal(t, "forward to flaskapp.default.svc.cluster.local:80", e.Live.Action)
	})
	t.Run("a missing backend: 500", func(t *testing.T) {
		r := env.Kubectl(append([]string{"expose-gw", "explain", "http://shop.test/ghost"}, args...)...)
		assert.Equal(t, 1, r.ExitCode)
		assert.Contains(t, r.Stdout, "unavailable (500): HTTPRoute default/legacy rule 0 sends to ghost.default.svc.cluster.local:80: no Service default/ghost: the gateway answers 500\n")
		agree(t, "/ghost")
	})
	t.Run("a rule without backend: Istio answers 500 itself", func(t *testing.T) {
		e := agree(t, "/none")
		assert.Equal(t, route.OutcomeDirectResponse, e.Outcome)
		assert.Equal(t, 500, e.Status)
	})
	t.Run("no HTTPS listener", func(t *testing.T) {
		r := env.Kubectl(append([]string{"expose-gw", "explain", "https://shop.test:80/"}, args...)...)
		assert.Equal(t, 1, r.ExitCode)
		assert.Contains(t, r.Stdout, "no-server: Gateway default/shared has no HTTPS listener on port 80: the connection fails\n")
		assert.Contains(t, r.Stdout, "fix: listener any serves HTTP on this port: request http://\n")
	})
	t.Run("expose picks the listener Istio serves the host on", func(t *testing.T) {
		// Listener any (no hostname) admits shop.example.com too, but Istio
		// serves it on the more specific listener wild (*.example.com).
		r := env.Kubectl("expose-gw", "flaskapp", "--api", "gateway-api", "--gateway", "shared", "--prefix", "/shop", "--host", "shop.example.com", "--wait", "0s")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		env.IstioGateway.Sync()
		e, _ := explain(t, env, "http://shop.example.com/shop/x", args...)
		assert.Equal(t, route.OutcomeRouted, e.Outcome, e.Reason)
		require.NotNil(t, e.Server)
		assert.Equal(t, "wild", e.Server.Listener)
		status, d := send(t, addr, "GET", "shop.example.com", "/shop/x", nil)
		assert.Equal(t, 200, status, "Istio routes it")
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", d.Cluster)
	})
	t.Run("bad input", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"http://shop.test:8080/", "--api", "gateway-api", "--gateway", "shared"}, `error: port 8080 of http://shop.test:8080/: not a port of the Gateway's Service default/shared-istio: expected one of 15021 (NodePort ` + nodePort(t, env, 15021) + `), 80 (NodePort ` + nodePort(t, env, 80) + `)`},
			{[]string{"http://shop.test/", "--api", "gateway-api", "--gateway", "nope"}, `error: --gateway default/nope: no Gateway default/nope of the Kubernetes Gateway API: expected an existing Gateway, [NAMESPACE/]NAME`},
			{[]string{"http://shop.test/", "--gateway", "team-x/nope"}, `error: --gateway team-x/nope: no Gateway team-x/nope of the Kubernetes Gateway API: expected an existing Gateway, [NAMESPACE/]NAME`},
		} {
			r := env.Kubectl(append([]string{"expose-gw", "explain"}, c.args...)...)
			assert.Equal(t, 1, r.ExitCode, c.args)
			assert.Equal(t, c.want+"\n", r.Stderr, c.args)
			assert.Empty(t, r.Stdout, c.args)
		}
	})
}

// nodePort is the NodePort of port of default/shared's Service.
func nodePort(t *testing.T, env *testenv.Env, port int32) string {
	t.Helper()
	svc, err := env.Kube.CoreV1().Services("default").Get(env.Ctx(), "shared-istio", metav1.GetOptions{})
	require.NoError(t, err)
	for _, p := range svc.Spec.Ports {
		if p.Port == port {
			return itoa(int(p.NodePort))
		}
	}
	t.Fatalf("shared-istio has no port %d", port)
	return ""
}
