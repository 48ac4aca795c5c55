package gwapi

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// startEdge is a test environment with the Services flaskapp and webapp
// and a Gateway default/edge of class istio: listener http on port 80 and
// extra.
func startEdge(t *testing.T, extra gatewayv1.Listener) *testenv.Env {
	t.Helper()
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.CreateApp(testenv.App{Name: "flaskapp"})
	env.CreateApp(testenv.App{Name: "webapp"})
	edge := gateway("default", "edge")
	edge.Spec.Listeners = append(edge.Spec.Listeners, extra)
	_, err := env.GatewayAPI.GatewayV1().Gateways("default").Create(env.Ctx(), edge, metav1.CreateOptions{})
	require.NoError(t, err)
	return env
}

// TestExposeBesideARouteOnAnotherPort: older HTTPRoutes with the same
// match that Istio does not attach to the tool's listener do not compete
// with the tool's route: one attached by port (parentRef.port 8080) to the
// other listener of a two-port Gateway, one in a namespace the listeners
// do not allow. expose writes the tool's route on port 80 without --force;
// Istio sends /env on each port to the route attached there, and refuses
// the other namespace's.
func TestExposeBesideARouteOnAnotherPort(t *testing.T) {
	env := startEdge(t, gatewayv1.Listener{Name: "alt", Port: 8080, Protocol: gatewayv1.HTTPProtocolType})
	ctx := env.Ctx()
	gw := env.GatewayAPI.GatewayV1()
	legacy := route("default", "legacy", "default", "edge", "/env", "webapp")
	legacy.Spec.ParentRefs[0].Port = ptr(gatewayv1.PortNumber(8080))
	_, err := gw.HTTPRoutes("default").Create(ctx, legacy, metav1.CreateOptions{})
	require.NoError(t, err)
	env.EnsureNamespace("other")
	_, err = gw.HTTPRoutes("other").Create(ctx, route("other", "foreign", "default", "edge", "/env", "webapp"), metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()
	c := parentCondition(t, env, "other", "foreign", "Accepted")
	require.Equal(t, "NotAllowedByListeners", c.Reason, "Istio does not attach the other namespace's route: %s", c.Message)

	r := env.KubectlSyncing(300*time.Millisecond, nil, "expose-gw", "flaskapp", "--prefix", "/env", "--gateway", "default/edge", "--wait", "60s")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.NotContains(t, r.Stderr, "older HTTPRoute")
	out := lines(r.Stdout)
	require.GreaterOrEqual(t, len(out), 2, r.Stdout)
	assert.Equal(t, "gateway.gateway.networking.k8s.io/edge unchanged", out[0])
	assert.Regexp(t, `^httproute\.gateway\.networking\.k8s\.io/flaskapp-any-edge-[0-9a-f]+ created$`, out[1])
	env.IstioGateway.Sync()

	pod := env.GatewayPod("default", "edge")
	for _, tc := range []struct {
		port    int
		service string
	}{{80, "flaskapp"}, {8080, "webapp"}} {
		status, seen, body := get(t, env.PortForward("default", pod, tc.port), "x.example.com", "/env/version")
		require.Equal(t, 200, status, "port %d: %s", tc.port, body)
		assert.Equal(t, "outbound|80||"+tc.service+".default.svc.cluster.local", seen.Cluster, "port %d", tc.port)
	}

	r = env.Kubectl("expose-gw", "list")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.NotContains(t, r.Stdout, "shadowed", "each route has a listener of its own:\n%s", r.Stdout)
}

// TestExposeRefusesAMatchOnAListenerOfTheSamePort: HTTP listeners of one
// port share their virtual hosts in Istio, so an older route on a listener
// for app.example.com holds /env on that host for the port's other
// listener too: expose --host app.example.com (which picks the listener
// without a hostname) is refused, and with --force Istio indeed sends the
// request to the older route's Service.
func TestExposeRefusesAMatchOnAListenerOfTheSamePort(t *testing.T) {
	env := startEdge(t, gatewayv1.Listener{Name: "http-app", Port: 80, Protocol: gatewayv1.HTTPProtocolType, Hostname: ptr(gatewayv1.Hostname("app.example.com"))})
	ctx := env.Ctx()
	gw := env.GatewayAPI.GatewayV1()
	legacy := route("default", "legacy", "default", "edge", "/env", "webapp")
	legacy.Spec.ParentRefs[0].SectionName = ptr(gatewayv1.SectionName("http-app"))
	_, err := gw.HTTPRoutes("default").Create(ctx, legacy, metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()
	before := snapshot(t, env)

	r := env.Kubectl("expose-gw", "flaskapp", "--host", "app.example.com", "--prefix", "/env", "--gateway", "default/edge", "--wait=0")
	assert.Equal(t, 1, r.ExitCode, r.Stderr)
	assert.Contains(t, r.Stderr, `error: prefix /env on host "app.example.com" of Gateway default/edge is already routed by the older HTTPRoute default/legacy`)
	assert.Equal(t, before, snapshot(t, env), "nothing written")

	r = env.Kubectl("expose-gw", "flaskapp", "--host", "app.example.com", "--prefix", "/env", "--gateway", "default/edge", "--force", "--wait=0")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Contains(t, r.Stderr, `stays with the older HTTPRoute default/legacy`)
	var name string
	for _, l := range lines(r.Stdout) {
		if n, ok := strings.CutPrefix(l, "httproute.gateway.networking.k8s.io/"); ok {
			name = strings.TrimSuffix(n, " created")
		}
	}
	written, err := gw.HTTPRoutes("default").Get(ctx, name, metav1.GetOptions{})
	require.NoError(t, err, r.Stdout)
	require.Len(t, written.Spec.ParentRefs, 1)
	// Listener http admits the host too, but Istio serves app.example.com on
	// the more specific listener http-app (listener isolation): a route on
	// http would never get its requests.
	assert.Equal(t, gatewayv1.SectionName("http-app"), *written.Spec.ParentRefs[0].SectionName, "the listener Istio serves the host on")
	env.IstioGateway.Sync()

	addr := env.PortForward("default", env.GatewayPod("default", "edge"), 80)
	status, seen, body := get(t, addr, "app.example.com", "/env/version")
	require.Equal(t, 200, status, body)
	assert.Equal(t, "outbound|80||webapp.default.svc.cluster.local", seen.Cluster, "Istio gives /env on app.example.com to the older route, as the refusal said")

	r = env.Kubectl("expose-gw", "list")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Contains(t, r.Stdout, "shadowed by default/legacy", r.Stdout)
}
