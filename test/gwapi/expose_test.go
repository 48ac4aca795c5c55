package gwapi

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// snapshot is every Gateway and HTTPRoute with its resourceVersion: what
// a refused command must leave as it was.
func snapshot(t *testing.T, env *testenv.Env) []string {
	t.Helper()
	gw := env.GatewayAPI.GatewayV1()
	var out []string
	gl, err := gw.Gateways("").List(env.Ctx(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, g := range gl.Items {
		out = append(out, fmt.Sprintf("gateway %s/%s spec@%d", g.Namespace, g.Name, g.Generation))
	}
	rl, err := gw.HTTPRoutes("").List(env.Ctx(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, r := range rl.Items {
		out = append(out, fmt.Sprintf("httproute %s/%s spec@%d", r.Namespace, r.Name, r.Generation))
	}
	sort.Strings(out)
	return out
}

func lines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }

// TestExposeWithTheGatewayAPI: in a cluster without Istio ingress gateway
// pods but with Istio's GatewayClass, expose writes a Gateway and
// HTTPRoutes that Istio routes to the Service, and list and delete read
// them back. Every route is checked through the Istio-driven gateway: the
// Service Istio chose, and Istio's 404 for what must not match.
func TestExposeWithTheGatewayAPI(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.CreateApp(testenv.App{Name: "flaskapp"})
	env.CreateApp(testenv.App{Name: "webapp"})
	env.EnsureNamespace("infra")
	ctx := env.Ctx()
	gw := env.GatewayAPI.GatewayV1()

	t.Run("the seed story: /env to flaskapp, Istio routes it", func(t *testing.T) {
		// The first sync deploys the Gateway's pod before Istio's status
		// is written: longer than the default --wait here.
		r := env.KubectlSyncing(300*time.Millisecond, nil, "expose-gw", "flaskapp", "--prefix", "/env", "--wait", "60s")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{
			"gateway.gateway.networking.k8s.io/expose-gw created",
			"httproute.gateway.networking.k8s.io/flaskapp-any created",
		}, lines(r.Stdout)[:2])
		assert.Contains(t, r.Stderr, "using the Kubernetes Gateway API: no Istio ingress gateway pods (no pod matches istio=ingressgateway), and GatewayClass istio is Istio's (istio.io/gateway-controller); --api chooses")
		assert.NotContains(t, r.Stderr, "has not reported", "--wait saw Istio's verdict")

		route, err := gw.HTTPRoutes("default").Get(ctx, "flaskapp-any", metav1.GetOptions{})
		require.NoError(t, err)
		c := parentCondition(t, env, "default", "flaskapp-any", "Accepted")
		assert.Equal(t, metav1.ConditionTrue, c.Status, c.Message)
		assert.Empty(t, route.Spec.Hostnames)

		addr := env.PortForward("default", env.GatewayPod("default", "expose-gw"), 80)
		status, seen, body := get(t, addr, "anything.example.com", "/env/version")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
		assert.Equal(t, "/env/version", seen.Path)
		status, _, body = get(t, addr, "anything.example.com", "/envoy")
		assert.Equal(t, 404, status, "--prefix /env is a path prefix: %s", body)
	})

	t.Run("--dry-run=client and =server print, write nothing", func(t *testing.T) {
		before := snapshot(t, env)
		for _, mode := range []string{"client", "server"} {
			r := env.Kubectl("expose-gw", "webapp", "--prefix", "/web", "--dry-run="+mode, "-o", "name")
			require.Equal(t, 0, r.ExitCode, r.Stderr)
			assert.Equal(t, []string{"gateway.gateway.networking.k8s.io/expose-gw", "httproute.gateway.networking.k8s.io/webapp-any"}, lines(r.Stdout), mode)
			assert.Equal(t, before, snapshot(t, env), mode)
		}
		r := env.Kubectl("expose-gw", "webapp", "--prefix", "/web", "--dry-run=server")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{"gateway.gateway.networking.k8s.io/expose-gw unchanged (server dry run)", "httproute.gateway.networking.k8s.io/webapp-any created (server dry run)"}, lines(r.Stdout))
	})

	t.Run("idempotent", func(t *testing.T) {
		before := snapshot(t, env)
		r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/env", "--wait=0")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{
			"gateway.gateway.networking.k8s.io/expose-gw unchanged",
			"httproute.gateway.networking.k8s.io/flaskapp-any unchanged",
		}, lines(r.Stdout)[:2])
		assert.Equal(t, before, snapshot(t, env))
	})

	t.Run("another Service on the same match is refused, --force writes it and Istio keeps the older", func(t *testing.T) {
		before := snapshot(t, env)
		r := env.Kubectl("expose-gw", "webapp", "--prefix", "/env", "--wait=0")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, `error: prefix /env on host "*" of Gateway default/expose-gw is already routed by the older HTTPRoute default/flaskapp-any (Gateway API gives identical matches to the oldest route): add --force to write it anyway`+"\n",
			r.Stderr, "the error alone: the API auto chose is said only when the command writes")
		assert.Equal(t, before, snapshot(t, env), "nothing written")

		r = env.Kubectl("expose-gw", "webapp", "--prefix", "/env", "--force", "--wait=0")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stderr, `Warning: prefix /env on host "*" of Gateway default/expose-gw stays with the older HTTPRoute default/flaskapp-any`)
		addr := env.PortForward("default", env.GatewayPod("default", "expose-gw"), 80)
		status, seen, body := get(t, addr, "x.example.com", "/env")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster, "Istio gives the identical match to the older route, as the warning said")

		r = env.Kubectl("expose-gw", "list")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{
			"NAMESPACE   API           HOST   MATCH         DESTINATION                             GATEWAY             STATUS",
			"default     gateway-api   *      prefix /env   flaskapp.default.svc.cluster.local:80   default/expose-gw   ok",
			"default     gateway-api   *      prefix /env   webapp.default.svc.cluster.local:80     default/expose-gw   shadowed by default/flaskapp-any",
		}, lines(r.Stdout))

		r = env.Kubectl("expose-gw", "delete", "webapp")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{"httproute.gateway.networking.k8s.io/webapp-any deleted"}, lines(r.Stdout), "flaskapp's route keeps the Gateway")
	})

	t.Run("a host of its own, a rewrite, an exact path", func(t *testing.T) {
		r := env.Kubectl("expose-gw", "webapp", "--host", "web.example.com", "--prefix", "/api", "--rewrite", "/", "--exact", "/healthz", "--wait=0")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		route, err := gw.HTTPRoutes("default").Get(ctx, "webapp-web.example.com", metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, []gatewayv1.Hostname{"web.example.com"}, route.Spec.Hostnames)
		addr := env.PortForward("default", env.GatewayPod("default", "expose-gw"), 80)
		for _, c := range []struct {
			host, path   string
			status       int
			cluster, got string
		}{
			{"web.example.com", "/api/v1/items", 200, "outbound|80||webapp.default.svc.cluster.local", "/v1/items"},
			{"web.example.com", "/api", 200, "outbound|80||webapp.default.svc.cluster.local", "/"},
			// --rewrite is what every match becomes: the exact path too.
			{"web.example.com", "/healthz", 200, "outbound|80||webapp.default.svc.cluster.local", "/"},
			{"web.example.com", "/healthz/x", 404, "", ""},
			{"web.example.com", "/apix", 404, "", ""},
			// The host has a route of its own: flaskapp's "*" route is
			// not merged into it (the most specific hostname wins).
			{"web.example.com", "/env", 404, "", ""},
			{"other.example.com", "/api", 404, "", ""},
		} {
			status, seen, body := get(t, addr, c.host, c.path)
			require.Equal(t, c.status, status, "%s%s: %s", c.host, c.path, body)
			if c.status == 200 {
				assert.Equal(t, c.cluster, seen.Cluster, c.path)
				assert.Equal(t, c.got, seen.Path, c.path)
			}
		}
	})

	t.Run("bad input: one line, non-zero exit, nothing changed", func(t *testing.T) {
		_, err := gw.Gateways("infra").Create(ctx, gateway("infra", "shared"), metav1.CreateOptions{})
		require.NoError(t, err)
		_, err = env.Kube.CoreV1().Secrets("default").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "opaque-foo"},
			Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"foo": []byte("bar")}}, metav1.CreateOptions{})
		require.NoError(t, err)
		env.IstioGateway.Sync()
		before := snapshot(t, env)
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"flaskapp", "--api", "bogus"}, `error: invalid --api "bogus": expected one of auto, istio, gateway-api`},
			{[]string{"flaskapp", "--wait", "-1s"}, `error: invalid --wait -1s: expected a duration of 0 or more (0: do not wait)`},
			{[]string{"flaskapp", "--api", "gateway-api", "--mesh", "--host", "a.example.com"}, `error: invalid --mesh with --api gateway-api: in-mesh routes are an Istio API feature (Gateway API mesh routing attaches HTTPRoutes to Services, which the tool does not write)`},
			{[]string{"flaskapp", "--api", "gateway-api", "--gateway-selector", "istio=x"}, `error: --gateway-selector "istio=x" is an Istio API flag: expected --gateway with --api gateway-api`},
			{[]string{"flaskapp", "--gateway", "infra/shared", "--wait=0"}, `error: Gateway infra/shared does not allow routes from namespace default on listener "http": add allowedRoutes.namespaces.from: All to it (or a Selector matching namespace default)`},
			{[]string{"flaskapp", "--tls-secret", "nope", "--host", "a.example.com", "--wait=0"}, `error: invalid --tls-secret "nope": expected a TLS Secret in namespace default, the Gateway's, where Istio reads a listener's certificateRefs (create it with kubectl create secret tls nope -n default --cert=FILE --key=FILE)`},
			// Istio would refuse the listener (InvalidCertificateRef).
			{[]string{"flaskapp", "--tls-secret", "opaque-foo", "--host", "a.example.com", "--wait=0"}, `error: invalid --tls-secret "opaque-foo": expected a TLS Secret (type kubernetes.io/tls, keys tls.crt and tls.key, or cert and key), but secret default/opaque-foo of type Opaque has keys foo`},
			// The HTTPRoute CRD's path rules, before the apiserver's raw error.
			{[]string{"flaskapp", "--prefix", "/a%zz"}, `error: invalid --prefix "/a%zz": expected "%" to start an escape of two hex digits (like %20)`},
			{[]string{"flaskapp", "--prefix", "/a/../b"}, `error: invalid --prefix "/a/../b": expected a path without "." or ".." segments`},
			{[]string{"flaskapp", "--exact", "/a/."}, `error: invalid --exact "/a/.": expected a path without "." or ".." segments`},
			{[]string{"flaskapp", "--host", strings.Repeat("a", 64) + ".example.com"}, `error: invalid --host "` + strings.Repeat("a", 64) + `.example.com": expected DNS labels of at most 63 characters ("` + strings.Repeat("a", 64) + `" has 64)`},
		} {
			r := env.Kubectl(append([]string{"expose-gw"}, c.args...)...)
			assert.Equal(t, 1, r.ExitCode, c.args)
			assert.Equal(t, c.want+"\n", r.Stderr, "%v: the error alone, not what was chosen for the writes", c.args)
			assert.Empty(t, r.Stdout, c.args)
			assert.Equal(t, before, snapshot(t, env), c.args)
		}
	})

	t.Run("--wait reports Istio's refusal with its reason", func(t *testing.T) {
		env.CreateApp(testenv.App{Name: "doomed"})
		deleted := false
		r := env.KubectlSyncing(300*time.Millisecond, func() {
			// Before Istio first syncs, the route is written and the
			// Service goes: Istio's first verdict is BackendNotFound.
			if deleted {
				return
			}
			testenv.Eventually(t, 30*time.Second, "the HTTPRoute written", func() (bool, error) {
				_, err := gw.HTTPRoutes("default").Get(ctx, "doomed-any", metav1.GetOptions{})
				return err == nil, err
			})
			require.NoError(t, env.Kube.CoreV1().Services("default").Delete(ctx, "doomed", metav1.DeleteOptions{}))
			deleted = true
		}, "expose-gw", "doomed", "--prefix", "/doomed", "--wait", "30s")
		require.True(t, deleted, "the route was written")
		assert.Equal(t, 1, r.ExitCode)
		got := lines(r.Stderr)
		assert.Regexp(t, `^error: Istio refused HTTPRoute default/doomed-any on Gateway default/expose-gw: ResolvedRefs=False BackendNotFound: .+ \(the objects are written: fix the cause, or remove them with kubectl expose-gw delete doomed\)$`, got[len(got)-1])

		r = env.Kubectl("expose-gw", "list")
		assert.Contains(t, r.Stdout, "refused: ResolvedRefs=False BackendNotFound")
		r = env.Kubectl("expose-gw", "delete", "doomed")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
	})

	t.Run("delete the last route: the tool's Gateway goes, and Istio's deployment of it", func(t *testing.T) {
		r := env.Kubectl("expose-gw", "delete", "webapp")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		r = env.Kubectl("expose-gw", "delete", "flaskapp", "--prefix", "/env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{
			"httproute.gateway.networking.k8s.io/flaskapp-any deleted",
			"gateway.gateway.networking.k8s.io/expose-gw deleted",
		}, lines(r.Stdout))
		assert.Equal(t, []string{"gateway infra/shared spec@1"}, snapshot(t, env), "another's Gateway is never deleted")
		_, err := env.Kube.CoreV1().Services("default").Get(ctx, "expose-gw-istio", metav1.GetOptions{})
		assert.True(t, apierrors.IsNotFound(err), "Istio's deployment for the Gateway went with it: %v", err)
		r = env.Kubectl("expose-gw", "delete", "flaskapp")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, "error: no route of service default/flaskapp to delete\n", r.Stderr)
	})
}
