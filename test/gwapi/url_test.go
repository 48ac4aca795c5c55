package gwapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// exposeOnPort exposes flaskapp under /env for flask.example.com with the
// plugin (a cluster without Istio gateway pods: the Gateway API), then
// moves the listener of its Gateway to a free high port, so that a load
// balancer address of 127.0.0.1 can be served on it.
func exposeOnPort(t *testing.T, env *testenv.Env) int {
	t.Helper()
	env.CreateApp(testenv.App{Name: "flaskapp"})
	r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/env", "--host", "flask.example.com", "--wait=0")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	require.Contains(t, r.Stderr, "using the Kubernetes Gateway API")
	r = env.Kubectl("get", "gtw", "expose-gw", "-o", `jsonpath={.spec.listeners[*].name}`)
	require.Equal(t, "http", r.Stdout, "the tool's Gateway has one listener, http")
	port := testenv.FreeNodePort(t)
	r = env.Kubectl("patch", "gtw", "expose-gw", "--type=json", "-p", fmt.Sprintf(`[{"op":"replace","path":"/spec/listeners/0/port","value":%d}]`, port))
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	return port
}

// urlLine is the first line of `url SERVICE`: URL, two spaces, Host.
func urlLine(t *testing.T, out string) (url, host string) {
	t.Helper()
	first, _, _ := strings.Cut(out, "\n")
	url, host, ok := strings.Cut(first, "  Host: ")
	require.True(t, ok, "no Host in %q", out)
	return url, host
}

// getURL sends GET url with host and returns what get returns.
func getURL(t *testing.T, url, host string) (int, testenv.Request, string) {
	t.Helper()
	rest, ok := strings.CutPrefix(url, "http://")
	require.True(t, ok, url)
	addr, path, _ := strings.Cut(rest, "/")
	require.True(t, strings.HasPrefix(addr, "127.0.0.1:"), "only 127.0.0.1 is ever sent to: %s", url)
	return get(t, addr, host, "/"+path)
}

func TestURLGatewayAPI(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	port := exposeOnPort(t, env)
	ctx := env.Ctx()
	svc, err := env.Kube.CoreV1().Services("default").Get(ctx, "expose-gw-istio", metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, corev1.ServiceTypeLoadBalancer, svc.Spec.Type)
	require.Equal(t, int32(port), svc.Spec.Ports[1].Port, "the Service port follows the listener")
	nodePort := svc.Spec.Ports[1].NodePort

	t.Run("load balancer pending: the nodePort on the gateway pod's node", func(t *testing.T) {
		r := env.Kubectl("expose-gw", "url", "flaskapp")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		want := fmt.Sprintf("http://127.0.0.1:%d/env", nodePort)
		assert.Equal(t, want+"  Host: flask.example.com\n  curl -H 'Host: flask.example.com' "+want+"\n", r.Stdout)
		env.IstioGateway.ListenGateway(fmt.Sprintf("127.0.0.1:%d", nodePort), "default", "expose-gw", port)
		url, host := urlLine(t, r.Stdout)
		status, seen, body := getURL(t, url+"/version", host)
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
		assert.Equal(t, "/env/version", seen.Path)
		status, _, _ = getURL(t, url, "other.example.com")
		assert.Equal(t, 404, status, "a sabotaged Host is Istio's 404")

		r = env.Kubectl("expose-gw", "url", "-o", "env", "--explain")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, fmt.Sprintf("export INGRESS_HOST=127.0.0.1\nexport INGRESS_PORT=%d\nexport GATEWAY_URL=127.0.0.1:%d\n", nodePort, nodePort), r.Stdout)
		assert.Contains(t, r.Stderr, "# Gateway default/expose-gw is Programmed=False AddressNotAssigned")
		assert.Contains(t, r.Stderr, `export INGRESS_HOST=$(kubectl get node node-1 -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')`)
		assert.Contains(t, r.Stderr, `export INGRESS_PORT=$(kubectl -n default get service expose-gw-istio -o jsonpath='{.spec.ports[?(@.name=="http")].nodePort}')`)
	})

	t.Run("load balancer address: the Gateway's status.addresses[0] and the listener's port", func(t *testing.T) {
		svc, err := env.Kube.CoreV1().Services("default").Get(ctx, "expose-gw-istio", metav1.GetOptions{})
		require.NoError(t, err)
		svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "127.0.0.1"}}
		_, err = env.Kube.CoreV1().Services("default").UpdateStatus(ctx, svc, metav1.UpdateOptions{})
		require.NoError(t, err)
		env.IstioGateway.Sync()
		env.IstioGateway.ListenGateway(fmt.Sprintf("127.0.0.1:%d", port), "default", "expose-gw", port)

		r := env.Kubectl("expose-gw", "url", "flaskapp")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		want := fmt.Sprintf("http://127.0.0.1:%d/env", port)
		assert.Equal(t, want+"  Host: flask.example.com\n  curl -H 'Host: flask.example.com' "+want+"\n", r.Stdout)
		url, host := urlLine(t, r.Stdout)
		status, seen, body := getURL(t, url+"/x", host)
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
		assert.Equal(t, "flask.example.com", seen.Host)
		status, _, _ = getURL(t, url, "flask.example.org")
		assert.Equal(t, 404, status, "a sabotaged Host is Istio's 404")
	})

	t.Run("-o env is the Istio docs' look-ups", func(t *testing.T) {
		lookup := func(jsonpath string) string {
			r := env.Kubectl("get", "gtw", "expose-gw", "-o", "jsonpath="+jsonpath)
			require.Equal(t, 0, r.ExitCode, r.Stderr)
			return r.Stdout
		}
		r := env.Kubectl("wait", "--for=condition=programmed", "gtw", "expose-gw", "--timeout=10s")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		host, p := lookup("{.status.addresses[0].value}"), lookup(`{.spec.listeners[?(@.name=="http")].port}`)
		r = env.Kubectl("expose-gw", "url", "-o", "env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, fmt.Sprintf("export INGRESS_HOST=%s\nexport INGRESS_PORT=%s\nexport GATEWAY_URL=%s:%s\n", host, p, host, p), r.Stdout)
		assert.Contains(t, r.Stderr, "using the Kubernetes Gateway API: no Istio ingress gateway pods")
	})

	t.Run("--explain prints the Gateway API look-ups", func(t *testing.T) {
		r := env.Kubectl("expose-gw", "url", "flaskapp", "--explain")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		for _, l := range []string{
			`#   kubectl -n default get httproutes.gateway.networking.k8s.io -o jsonpath='{range .items[*]}{.metadata.name} {.spec.hostnames} {.spec.parentRefs[*].name} {.spec.rules[*].backendRefs[*].name}{"\n"}{end}'`,
			`#   kubectl -n default wait --for=condition=programmed gtw expose-gw`,
			`export INGRESS_HOST=$(kubectl -n default get gtw expose-gw -o jsonpath='{.status.addresses[0].value}')`,
			`export INGRESS_PORT=$(kubectl -n default get gtw expose-gw -o jsonpath='{.spec.listeners[?(@.name=="http")].port}')`,
			`export GATEWAY_URL=$INGRESS_HOST:$INGRESS_PORT`,
		} {
			assert.Contains(t, r.Stderr, l+"\n")
		}
	})

	t.Run("-o json names the HTTPRoute and the Gateway", func(t *testing.T) {
		r := env.Kubectl("expose-gw", "url", "flaskapp", "-o", "json")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stdout, `"httpRoute": "default/flaskapp-flask.example.com"`)
		assert.Contains(t, r.Stdout, `"api": "gateway-api"`)
		assert.Contains(t, r.Stdout, `"address": "127.0.0.1"`)
		assert.NotContains(t, r.Stdout, `"virtualService"`)
	})

	t.Run("a Gateway changed after Istio's last report on it: url warns until Istio reports again", func(t *testing.T) {
		const stale = "after Istio's last report on it"
		r := env.Kubectl("expose-gw", "url")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.NotContains(t, r.Stderr, stale, "Istio reported on the current generation")

		setProbeListener(t, env, true) // a new generation Istio has not seen (no Sync)
		t.Cleanup(func() { setProbeListener(t, env, false); env.IstioGateway.Sync() })
		g, err := env.GatewayAPI.GatewayV1().Gateways("default").Get(ctx, "expose-gw", metav1.GetOptions{})
		require.NoError(t, err)
		r = env.Kubectl("expose-gw", "url", "-o", "env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stderr, fmt.Sprintf("Warning: Gateway default/expose-gw changed (generation %d) after Istio's last report on it (Programmed of generation %d)", g.Generation, g.Generation-1))
		assert.Contains(t, r.Stdout, "export INGRESS_HOST=127.0.0.1\n", "the address Istio reported is still given")

		env.IstioGateway.Sync()
		r = env.Kubectl("expose-gw", "url")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.NotContains(t, r.Stderr, stale, "Istio's report is of the new generation")
	})

	t.Run("bad input: one line, non-zero exit", func(t *testing.T) {
		other := gateway("default", "envoy")
		other.Spec.GatewayClassName = "eg"
		_, err := env.GatewayAPI.GatewayV1().Gateways("default").Create(ctx, other, metav1.CreateOptions{})
		require.NoError(t, err)
		env.CreateApp(testenv.App{Name: "unrouted"})
		for _, c := range []struct {
			args   []string
			stderr string
		}{
			{[]string{"url", "--api", "bogus"}, `error: invalid --api "bogus": expected one of auto, istio, gateway-api`},
			{[]string{"url", "--api", "gateway-api", "--gateway", "nope"}, `error: invalid --gateway "default/nope": expected an existing Gateway API Gateway (kubectl get gtw -n default)`},
			{[]string{"url", "--api", "gateway-api", "--gateway", "envoy"}, `error: invalid --gateway "default/envoy": Gateway default/envoy is of class "eg", which Istio does not program (controller istio.io/gateway-controller): expected a Gateway of class istio`},
			{[]string{"url", "flaskapp", "--api", "gateway-api", "--gateway", "envoy"}, `error: invalid --gateway "default/envoy": Gateway default/envoy is of class "eg"`},
			{[]string{"url", "unrouted"}, "error: no routes to service default/unrouted: no VirtualService or HTTPRoute in namespace default routes to it through a Gateway (run `kubectl expose-gw unrouted` first)"},
			{[]string{"url", "unrouted", "--api", "gateway-api"}, "error: no routes to service default/unrouted: no HTTPRoute in namespace default routes to it through a Gateway (run `kubectl expose-gw unrouted` first)"},
			{[]string{"proxy", "flaskapp", "--api", "bogus"}, `error: invalid --api "bogus": expected one of auto, istio, gateway-api`},
			{[]string{"proxy", "unrouted"}, "error: no VirtualService or HTTPRoute bound to a gateway routes to service \"unrouted\": expose it first with `kubectl expose-gw unrouted`, or give --host without SERVICE"},
			{[]string{"proxy", "--host", "a.example.com", "--api", "gateway-api", "--gateway", "nope"}, `error: invalid --gateway "default/nope": expected an existing Gateway API Gateway (kubectl get gtw -n default)`},
			{[]string{"proxy", "--host", "a.example.com", "--api", "gateway-api", "--gateway", "envoy"}, `error: invalid --gateway "default/envoy": Gateway default/envoy is of class "eg"`},
		} {
			r := env.Kubectl(append([]string{"expose-gw"}, c.args...)...)
			assert.NotEqual(t, 0, r.ExitCode, "%v", c.args)
			assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one line: %q", r.Stderr)
			assert.True(t, strings.HasPrefix(r.Stderr, c.stderr), "%v: %q", c.args, r.Stderr)
		}
	})
}
