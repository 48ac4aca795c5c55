package explain

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// liveOf runs explain --live -o json.
func liveOf(t *testing.T, env *testenv.Env, url string, args ...string) (route.Explanation, testenv.Result) {
	t.Helper()
	r := env.Kubectl(append([]string{"expose-gw", "explain", url, "--live", "-o", "json"}, args...)...)
	var e route.Explanation
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &e), "stdout %q stderr %q", r.Stdout, r.Stderr)
	require.NotNil(t, e.Live, "--live reports the running gateway")
	return e, r
}

// TestExplainLive walks requests through the configuration the gateway
// pod runs (the test gateway serves pilot's output as Envoy's
// /config_dump on the pod's admin port), agreeing with the objects, then
// during a push delay, when the gateway still runs the old configuration.
func TestExplainLive(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{})
	r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/env", "--host", "shop.example.com")
	require.Equal(t, 0, r.ExitCode, r.Stderr)

	t.Run("the running gateway agrees with the objects", func(t *testing.T) {
		e, r := liveOf(t, env, "http://shop.example.com/env/x")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		l := e.Live
		assert.True(t, l.Agrees, l.Difference)
		assert.Equal(t, "istio-system/istio-ingressgateway-0", l.Pod)
		assert.Equal(t, "0.0.0.0_8080", l.Listener)
		assert.Equal(t, "http.8080", l.RouteConfig)
		assert.Equal(t, "VirtualService default/expose-gw-shop.example.com", l.Config)
		assert.Equal(t, "forward to flaskapp.default.svc.cluster.local:80", l.Action)
		text := env.Kubectl("expose-gw", "explain", "http://shop.example.com/env/x", "--live")
		require.Equal(t, 0, text.ExitCode, text.Stderr)
		assert.Contains(t, text.Stdout, "live, pod istio-system/istio-ingressgateway-0 (Envoy's config_dump):\n  listener 0.0.0.0_8080, route configuration http.8080, virtual host shop.example.com:80\n")
		assert.Contains(t, text.Stdout, "(VirtualService default/expose-gw-shop.example.com): forward to flaskapp.default.svc.cluster.local:80\n  agrees with the objects\n")
		// A 404 both ways agrees too.
		e, r = liveOf(t, env, "http://shop.example.com/nothing")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, route.OutcomeNotFound, e.Outcome)
		assert.True(t, e.Live.Agrees, e.Live.Difference)
		assert.Contains(t, e.Live.Stop, "no route of virtual host shop.example.com:80 matches /nothing: 404")
	})
	t.Run("not pushed yet: the gateway runs the old configuration", func(t *testing.T) {
		env.IstioGateway.SetDelay(8 * time.Second)
		defer env.IstioGateway.SetDelay(0)
		_, err := env.Istio.NetworkingV1().VirtualServices("default").Create(env.Ctx(),
			vs("default", "fresh", "fresh.example.com", "default/expose-gw", prefixTo("/new", "flaskapp.default.svc.cluster.local", 0)), metav1.CreateOptions{})
		require.NoError(t, err)
		r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/f", "--host", "fresh.example.com", "--force")
		require.Equal(t, 0, r.ExitCode, r.Stderr) // the Gateway now serves fresh.example.com too
		// the sync after that kubectl waited out the delay: write again,
		// and ask at once.
		_, err = env.Istio.NetworkingV1().VirtualServices("default").Create(env.Ctx(),
			vs("default", "fresher", "fresh.example.com", "default/expose-gw", prefixTo("/later", "flaskapp.default.svc.cluster.local", 0)), metav1.CreateOptions{})
		require.NoError(t, err)
		e, res := liveOf(t, env, "http://fresh.example.com/later")
		assert.Equal(t, 1, res.ExitCode, "they differ")
		assert.Equal(t, route.OutcomeRouted, e.Outcome, "by the objects")
		assert.False(t, e.Live.Agrees)
		assert.Contains(t, e.Live.Difference, "by the objects, rule 0 of VirtualService default/fresher takes the request; the gateway stops: no route of virtual host fresh.example.com:80 matches /later: 404: istiod has not pushed the change to it yet")
		env.IstioGateway.Sync()
		e, res = liveOf(t, env, "http://fresh.example.com/later")
		assert.Equal(t, 0, res.ExitCode, res.Stderr)
		assert.True(t, e.Live.Agrees, "pushed: %s", e.Live.Difference)
	})
}
