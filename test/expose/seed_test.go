package expose

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
)

// TestSeed runs the seed article's command and reads the result back field
// by field, then checks the re-run is a no-op, a second service on the same
// host lands in the same VirtualService in the right order, and deleting
// one leaves the other.
func TestSeed(t *testing.T) {
	w := start(t)

	r := w.Kubectl("expose-gw", "flaskapp", "--prefix", "/env")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{
		"gateway.networking.istio.io/expose-gw created",
		"virtualservice.networking.istio.io/expose-gw-any created",
		"http://127.0.0.1:31380/env",
	}, lines(r.Stdout))

	gw := w.gw(t, "default", "expose-gw")
	assert.Equal(t, "kubectl-expose-gw", gw.Labels["app.kubernetes.io/managed-by"])
	assert.Equal(t, map[string]string{"istio": "ingressgateway"}, gw.Spec.Selector)
	require.Len(t, gw.Spec.Servers, 1)
	srv := gw.Spec.Servers[0]
	assert.Equal(t, uint32(80), srv.Port.Number)
	assert.Equal(t, "HTTP", srv.Port.Protocol)
	assert.Equal(t, "http-80", srv.Port.Name)
	assert.Equal(t, []string{"*"}, srv.Hosts)
	assert.Nil(t, srv.Tls)
	assert.Equal(t, "kubectl-expose-gw", gw.ManagedFields[0].Manager)

	vs := w.vs(t, "default", "expose-gw-any")
	assert.Equal(t, "kubectl-expose-gw", vs.Labels["app.kubernetes.io/managed-by"])
	assert.Equal(t, []string{"*"}, vs.Spec.Hosts)
	assert.Equal(t, []string{"expose-gw"}, vs.Spec.Gateways)
	require.Len(t, vs.Spec.Http, 1)
	route := vs.Spec.Http[0]
	assert.Equal(t, "flaskapp", route.Name)
	// --prefix /env is a path prefix: /env and /env/..., never /envoy.
	require.Len(t, route.Match, 2)
	assert.Equal(t, &apinet.StringMatch_Exact{Exact: "/env"}, route.Match[0].Uri.MatchType)
	assert.Equal(t, &apinet.StringMatch_Prefix{Prefix: "/env/"}, route.Match[1].Uri.MatchType)
	require.Len(t, route.Route, 1)
	assert.Equal(t, "flaskapp.default.svc.cluster.local", route.Route[0].Destination.Host)
	assert.Equal(t, uint32(80), route.Route[0].Destination.Port.Number)
	assert.Nil(t, route.Rewrite)
	assert.Equal(t, "kubectl-expose-gw", vs.ManagedFields[0].Manager)

	t.Run("re-run changes nothing", func(t *testing.T) {
		before := w.snapshot(t, "default")
		r := w.Kubectl("expose-gw", "flaskapp", "--prefix", "/env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{
			"gateway.networking.istio.io/expose-gw unchanged",
			"virtualservice.networking.istio.io/expose-gw-any unchanged",
		}, lines(r.Stdout)[:2])
		assert.Equal(t, before, w.snapshot(t, "default"))
	})

	t.Run("second service on the same host", func(t *testing.T) {
		w.app("default", "webapp")
		r := w.Kubectl("expose-gw", "svc/webapp") // prefix "/" must not swallow /env
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stdout, "gateway.networking.istio.io/expose-gw unchanged")
		assert.Contains(t, r.Stdout, "virtualservice.networking.istio.io/expose-gw-any configured")
		r = w.Kubectl("expose-gw", "webapp", "--exact", "/healthz", "--prefix", "/static/css")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		vss, err := w.Istio.NetworkingV1().VirtualServices("default").List(w.Ctx(), metavOpts())
		require.NoError(t, err)
		require.Len(t, vss.Items, 1, "one VirtualService per host and gateway")
		assert.Equal(t, []string{"webapp exact /healthz", "webapp prefix /static/css", "flaskapp prefix /env", "webapp prefix /"},
			routes(vss.Items[0]))
		gws, err := w.Istio.NetworkingV1().Gateways("default").List(w.Ctx(), metavOpts())
		require.NoError(t, err)
		assert.Len(t, gws.Items, 1, "one Gateway per host and port")

		r = w.Kubectl("expose-gw", "list")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{
			"NAMESPACE   API     HOST   MATCH                DESTINATION                             GATEWAY             STATUS",
			"default     istio   *      exact /healthz       webapp.default.svc.cluster.local:80     default/expose-gw   ok",
			"default     istio   *      prefix /static/css   webapp.default.svc.cluster.local:80     default/expose-gw   ok",
			"default     istio   *      prefix /env          flaskapp.default.svc.cluster.local:80   default/expose-gw   ok",
			"default     istio   *      prefix /             webapp.default.svc.cluster.local:80     default/expose-gw   ok",
		}, lines(r.Stdout))
	})

	t.Run("delete one leaves the other", func(t *testing.T) {
		r := w.Kubectl("expose-gw", "delete", "webapp")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{"virtualservice.networking.istio.io/expose-gw-any configured"}, lines(r.Stdout))
		assert.Equal(t, []string{"flaskapp prefix /env"}, routes(w.vs(t, "default", "expose-gw-any")))
		w.gw(t, "default", "expose-gw")

		r = w.Kubectl("expose-gw", "delete", "flaskapp", "--prefix", "/env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{
			"virtualservice.networking.istio.io/expose-gw-any deleted",
			"gateway.networking.istio.io/expose-gw deleted",
		}, lines(r.Stdout))
		assert.Empty(t, w.snapshot(t, "default"))
	})
}
