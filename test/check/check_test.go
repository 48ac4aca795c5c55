// Package check tests `kubectl expose-gw url --check` and `expose --wait`
// end to end: the real kubectl runs the plugin against a real
// kube-apiserver, its requests go through the Istio-driven test gateway
// (directly at a NodePort, or through kwok's port-forward), and who it says
// answered is compared with what Istio decided for the same request.
package check

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestURLCheckIstio: every kind of answer `url --check` tells apart, each
// checked against what Istio did with the request, directly at the
// gateway's NodePort and through a port-forward.
func TestURLCheckIstio(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	nodePort := testenv.FreeNodePort(t)
	onNode := "127.0.0.1:" + strconv.Itoa(nodePort)
	env.IstioGateway.Listen(onNode, testenv.IstioNamespace, 8080)
	env.SeedWorld(testenv.WorldOptions{HTTPNodePort: int32(nodePort), Apps: []testenv.App{
		{Name: "flaskapp"}, {Name: "notes"}, {Name: "shop"}, {Name: "other"}, {Name: "doomed"}, {Name: "idle", NoEndpoints: true}}})
	env.EnsureNamespace("team-b")
	_, err := env.Istio.NetworkingV1().VirtualServices("team-b").Create(env.Ctx(),
		olderVS("team-b", "legacy", "shop.example.com", "default/expose-gw", "/s", "other.default.svc.cluster.local"), metav1.CreateOptions{})
	require.NoError(t, err)
	time.Sleep(1100 * time.Millisecond) // the tool's route is younger: team-b's wins
	expose := func(args ...string) {
		t.Helper()
		r := env.Kubectl(append([]string{"expose-gw"}, args...)...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
	}
	expose("flaskapp", "--prefix", "/env", "--host", "flask.example.com")
	expose("notes", "--prefix", "/gone", "--host", "notes.example.com")
	expose("shop", "--prefix", "/shop", "--host", "shop.example.com", "--force")
	expose("doomed", "--prefix", "/d", "--host", "doomed.example.com")
	expose("idle", "--prefix", "/idle", "--host", "idle.example.com")
	require.NoError(t, env.Kube.CoreV1().Services("default").Delete(env.Ctx(), "doomed", metav1.DeleteOptions{}))
	env.Upstream.AnswerStatus("/gone", 404)
	env.IstioGateway.Sync()

	t.Run("a good route: its application answered, directly at the NodePort", func(t *testing.T) {
		items, r := checkJSON(t, env, "flaskapp")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		require.Len(t, items, 1)
		it := items[0]
		assert.Equal(t, "http://127.0.0.1:"+strconv.Itoa(nodePort)+"/env", it.URL)
		assert.Equal(t, "flask.example.com", it.Host)
		assert.Equal(t, "direct", it.Via)
		assert.Equal(t, 200, it.Status)
		assert.Equal(t, "application", it.AnsweredBy)
		assert.Equal(t, "default/flaskapp", it.Service)
		assert.Equal(t, "default/flaskapp", it.Reached)
		assert.Nil(t, it.Explain, "no verdict needed when the route's own Service answered")
		status, d := istioSays(t, env, "flask.example.com", "/env")
		assert.Equal(t, 200, status)
		assert.Contains(t, d, `"cluster":"outbound|80||flaskapp.default.svc.cluster.local"`, "Istio agrees")
		text := env.Kubectl("expose-gw", "url", "flaskapp", "--check")
		require.Equal(t, 0, text.ExitCode, text.Stderr)
		assert.Regexp(t, `^OK    200  +\d+ms  direct        http://127\.0\.0\.1:\d+/env  Host: flask\.example\.com  answered by default/flaskapp\n$`, text.Stdout)
	})
	t.Run("the same through a port-forward", func(t *testing.T) {
		items, r := checkJSON(t, env, "flaskapp", "--via", "port-forward")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		require.Len(t, items, 1)
		assert.Equal(t, "port-forward", items[0].Via)
		assert.Equal(t, "http://flask.example.com/env", items[0].URL)
		assert.Equal(t, "application", items[0].AnsweredBy)
	})
	t.Run("the application's own 404: the route works", func(t *testing.T) {
		items, r := checkJSON(t, env, "notes")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		require.Len(t, items, 1)
		assert.Equal(t, 404, items[0].Status)
		assert.Equal(t, "application", items[0].AnsweredBy)
		assert.Empty(t, items[0].Flag)
		text := env.Kubectl("expose-gw", "url", "notes", "--check")
		require.Equal(t, 0, text.ExitCode, text.Stderr)
		assert.Contains(t, text.Stdout, "OK    404")
		assert.Contains(t, text.Stdout, "answered by default/notes\n")
	})
	t.Run("shadowed: another team's rule sends it to another Service", func(t *testing.T) {
		items, r := checkJSON(t, env, "shop")
		require.Equal(t, 1, r.ExitCode, r.Stderr)
		require.Len(t, items, 1)
		it := items[0]
		assert.Equal(t, "application", it.AnsweredBy)
		assert.Equal(t, 200, it.Status)
		assert.Equal(t, "default/shop", it.Service)
		assert.Equal(t, "default/other", it.Reached)
		require.NotNil(t, it.Explain)
		assert.Equal(t, map[string]any{"kind": "VirtualService", "namespace": "team-b", "name": "legacy", "rule": 0.0, "match": "prefix /s"}, it.Explain["route"])
		_, d := istioSays(t, env, "shop.example.com", "/shop")
		assert.Contains(t, d, `"cluster":"outbound|80||other.default.svc.cluster.local"`, "Istio agrees: other's pods get it")
		text := env.Kubectl("expose-gw", "url", "shop", "--check")
		assert.Equal(t, 1, text.ExitCode)
		assert.Contains(t, text.Stdout, "FAIL  200")
		assert.Contains(t, text.Stdout, "answered by default/other, not default/shop\n")
		assert.Contains(t, text.Stdout, "  taken by: rule 0 of VirtualService team-b/legacy (prefix /s)\n")
	})
	t.Run("a route to a Service that is gone: 503 NC", func(t *testing.T) {
		items, r := checkJSON(t, env, "doomed")
		require.Equal(t, 1, r.ExitCode, r.Stderr)
		require.Len(t, items, 1)
		it := items[0]
		assert.Equal(t, 503, it.Status)
		assert.Equal(t, "gateway", it.AnsweredBy)
		assert.Equal(t, "NC", it.Flag)
		require.NotNil(t, it.Explain)
		assert.Equal(t, "unavailable", it.Explain["outcome"])
		assert.Contains(t, it.Explain["reason"], "no Service default/doomed")
		status, d := istioSays(t, env, "doomed.example.com", "/d")
		assert.Equal(t, 503, status)
		assert.Contains(t, d, "cluster_not_found", "Istio agrees")
	})
	t.Run("no ready endpoints: 503 UH", func(t *testing.T) {
		items, r := checkJSON(t, env, "idle")
		require.Equal(t, 1, r.ExitCode, r.Stderr)
		require.Len(t, items, 1)
		assert.Equal(t, 503, items[0].Status)
		assert.Equal(t, "gateway", items[0].AnsweredBy)
		assert.Equal(t, "UH", items[0].Flag)
		require.NotNil(t, items[0].Explain)
		assert.Contains(t, items[0].Explain["reason"], "no ready endpoints")
		_, d := istioSays(t, env, "idle.example.com", "/idle")
		assert.Contains(t, d, "no_healthy_upstream", "Istio's EDS gave the cluster no endpoint")
		text := env.Kubectl("expose-gw", "url", "idle", "--check")
		assert.Equal(t, 1, text.ExitCode)
		assert.Contains(t, text.Stdout, "the gateway answered itself: no healthy upstream (UH)\n")
		assert.Contains(t, text.Stdout, "\n  explain: ")
	})
	t.Run("every route of the namespace", func(t *testing.T) {
		items, r := checkJSON(t, env)
		assert.Equal(t, 1, r.ExitCode, "some fail: %s", r.Stderr)
		got := map[string]string{}
		for _, it := range items {
			got[it.Service] = fmt.Sprintf("%s %s reached=%s ok=%v", it.AnsweredBy, it.Flag, it.Reached, it.OK)
		}
		// doomed is gone: only the Services of the namespace are read.
		assert.Equal(t, map[string]string{
			"default/flaskapp": "application  reached=default/flaskapp ok=true",
			"default/notes":    "application  reached=default/notes ok=true",
			"default/shop":     "application  reached=default/other ok=false",
			"default/idle":     "gateway UH reached= ok=false"}, got)
	})
	t.Run("an HTTPS route whose Secret is missing: the handshake fails", func(t *testing.T) {
		// expose checks that the Secret exists; it goes away afterwards.
		env.CreateTLSSecret(testenv.IstioNamespace, "missing-cert", "secure.example.com")
		r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/sec", "--host", "secure.example.com", "--tls-secret", "missing-cert")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		require.NoError(t, env.Kube.CoreV1().Secrets(testenv.IstioNamespace).Delete(env.Ctx(), "missing-cert", metav1.DeleteOptions{}))
		env.IstioGateway.Sync()
		items, r := checkJSON(t, env, "flaskapp", "--https", "--via", "port-forward")
		require.Equal(t, 1, r.ExitCode, r.Stderr)
		require.Len(t, items, 1)
		it := items[0]
		assert.Equal(t, "https://secure.example.com/sec", it.URL)
		assert.Equal(t, 0, it.Status)
		assert.Equal(t, "none", it.AnsweredBy)
		assert.Equal(t, "tls", it.Flag)
		require.NotNil(t, it.Explain)
		assert.Contains(t, it.Explain["reason"], "missing-cert")
		assert.Contains(t, it.Explain["reason"], "istio-system")
	})
	t.Run("expose --wait: routed once the gateway has the change", func(t *testing.T) {
		env.IstioGateway.SetDelay(3 * time.Second)
		defer env.IstioGateway.SetDelay(0)
		r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/late", "--host", "late.example.com", "--wait", "30s")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stderr, "Waiting up to 30s for the gateway to route 1 URL(s) to default/flaskapp\n")
		assert.Contains(t, r.Stderr, "(Host: late.example.com): the gateway answered itself: no route (NR)\n", "the push delay was seen")
		assert.Contains(t, r.Stderr, "(Host: late.example.com): answered by default/flaskapp\n")
		assert.Regexp(t, `Routed after \d`, r.Stderr)
		assert.Contains(t, r.Stdout, "curl -H 'Host: late.example.com' http://127.0.0.1:"+strconv.Itoa(nodePort)+"/late\n", "then the URL")
	})
	t.Run("expose --wait shorter than the push: exit 1, the verdict, the objects kept", func(t *testing.T) {
		env.IstioGateway.SetDelay(5 * time.Second)
		defer env.IstioGateway.SetDelay(0)
		r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/later", "--host", "later.example.com", "--wait", "1s")
		require.Equal(t, 1, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stderr, "the gateway answered itself: no route (NR)\n")
		assert.Contains(t, r.Stderr, "  explain: VirtualService default/expose-gw-later.example.com rule 0 sends it to flaskapp.default.svc.cluster.local:80")
		assert.Contains(t, r.Stderr, "  the gateway does not run what the objects say yet: istiod has not pushed the change to it")
		assert.Contains(t, r.Stderr, "error: --wait 1s ended before the gateway routed every URL to default/flaskapp (see above); the objects are kept: `kubectl expose-gw delete flaskapp` removes them\n")
		assert.Contains(t, r.Stdout, "virtualservice.networking.istio.io/expose-gw-later.example.com created\n")
		_, err := env.Istio.NetworkingV1().VirtualServices("default").Get(env.Ctx(), "expose-gw-later.example.com", metav1.GetOptions{})
		require.NoError(t, err, "kept")
	})
	t.Run("the gateway down at its NodePort: refused, or auto's port-forward", func(t *testing.T) {
		env.IstioGateway.Unlisten(onNode)
		defer env.IstioGateway.Listen(onNode, testenv.IstioNamespace, 8080)
		items, r := checkJSON(t, env, "flaskapp", "--via", "direct")
		require.Equal(t, 1, r.ExitCode, r.Stderr)
		require.Len(t, items, 5, "flaskapp's routes by now: /env, /late, /later, and /sec over http and https")
		for _, it := range items {
			assert.Equal(t, "direct", it.Via, it.URL)
			assert.Equal(t, 0, it.Status, it.URL)
			assert.Equal(t, "none", it.AnsweredBy, it.URL)
			assert.Equal(t, "refused", it.Flag, it.URL)
			require.NotNil(t, it.Explain, "the verdict says what the objects do")
		}
		assert.Equal(t, "routed", items[0].Explain["outcome"])
		items, _ = checkJSON(t, env, "flaskapp")
		require.Len(t, items, 5)
		env1 := items[0]
		assert.Equal(t, "http://flask.example.com/env", env1.URL)
		assert.Equal(t, "port-forward", env1.Via, "auto falls back to a port-forward")
		assert.Equal(t, "application", env1.AnsweredBy)
	})
	t.Run("bad input: one line, exit 1", func(t *testing.T) {
		before := env.RouteObjects()
		bad := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/neg", "--wait", "-1s")
		assert.Equal(t, 1, bad.ExitCode)
		assert.Equal(t, "error: invalid --wait -1s: expected a duration of 0 or more (0: do not wait)\n", bad.Stderr)
		assert.Equal(t, before, env.RouteObjects(), "nothing written")
		for args, want := range map[string]string{
			"flaskapp --check -o env":  "--check with -o env",
			"flaskapp --via direct":    "--via direct without --check",
			"flaskapp --check --via x": `invalid --via "x": expected auto, direct or port-forward`,
		} {
			r := env.Kubectl(append([]string{"expose-gw", "url"}, strings.Fields(args)...)...)
			assert.Equal(t, 1, r.ExitCode, args)
			assert.Empty(t, r.Stdout, args)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.Stderr), "\n")+1, "one line: %q", r.Stderr)
			assert.Contains(t, r.Stderr, want, args)
		}
	})
}
