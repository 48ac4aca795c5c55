package expose

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

const (
	noGatewayErr = "error: no ingress gateway found: no pod matches istio=ingressgateway and no pod in any namespace has an istio label other than egressgateway or pilot; name the gateway's pod labels with --gateway-selector\n"
	severalErr   = "error: no pod matches istio=ingressgateway and several ingress gateways run: istio=public (gw-public), istio=ingress (istio-ingress); pick one with --gateway-selector\n"
	// noAPIErr: expose --api auto finds neither API's gateway.
	noAPIErr  = "error: no ingress gateway found: no pod matches istio=ingressgateway and no pod in any namespace has an istio label other than egressgateway or pilot; name the gateway's pod labels with --gateway-selector; nor is there a GatewayClass of Istio's controller istio.io/gateway-controller for the Gateway API (Istio creates GatewayClass istio when the Gateway API CRDs are installed before it)\n"
	usingHelm = "Using the ingress gateway istio=ingress (pods in istio-ingress, Service istio-ingress/istio-ingress): no pod matches istio=ingressgateway"
)

// TestHelmGateway: a gateway installed as Istio's Helm chart does (pods
// istio=ingress in istio-ingress, no istio=ingressgateway anywhere) is
// found and used by expose, url and proxy. The subtests share one cluster
// and run in order: no gateway, the Helm gateway, then a second one.
func TestHelmGateway(t *testing.T) {
	// The Gateway API CRDs are installed, Istio's GatewayClass is not: the
	// Istio API's world, where --api auto keeps to it.
	w := &world{Env: testenv.Start(t, testenv.Options{Kwok: true, NoGatewayClass: true}), t: t}
	ctx := w.Ctx()

	t.Run("no gateway at all: one line, nothing written; --dry-run=client prints with a warning", func(t *testing.T) {
		w.app("none", "flaskapp")
		before := w.snapshot(t, "none")
		r := w.Kubectl("expose-gw", "-n", "none", "flaskapp", "--prefix", "/env")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, noAPIErr, r.Stderr)
		assert.Empty(t, r.Stdout)
		assert.Equal(t, before, w.snapshot(t, "none"))

		r = w.Kubectl("expose-gw", "-n", "none", "flaskapp", "--prefix", "/env", "--dry-run=client", "-o", "yaml")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{"Warning: " + strings.TrimSuffix(strings.TrimPrefix(noGatewayErr, "error: "), "\n") +
			"; the Gateway printed selects istio=ingressgateway and listens on the default ports 80/443"}, lines(r.Stderr))
		assert.Contains(t, r.Stdout, "kind: Gateway")
		assert.Contains(t, r.Stdout, "kind: VirtualService")
		assert.Contains(t, r.Stdout, "istio: ingressgateway")
		assert.Equal(t, before, w.snapshot(t, "none"))

		r = w.Kubectl("expose-gw", "url")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, noAPIErr, r.Stderr)
	})

	svc := w.SeedHelmGateway(testenv.HelmGatewayNamespace, "istio-ingress", "ingress")
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "127.0.0.1"}}
	_, err := w.Kube.CoreV1().Services(svc.Namespace).UpdateStatus(ctx, svc, metav1.UpdateOptions{})
	require.NoError(t, err)

	t.Run("the Helm gateway is found and used", func(t *testing.T) {
		w.app("helm", "flaskapp")
		r := w.Kubectl("expose-gw", "-n", "helm", "flaskapp", "--prefix", "/env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{usingHelm}, lines(r.Stderr))
		assert.Equal(t, []string{
			"gateway.networking.istio.io/expose-gw-istio-ingress created",
			"virtualservice.networking.istio.io/expose-gw-any-expose-gw-istio-ingress-af8baa87 created",
			"http://127.0.0.1/env",
		}, lines(r.Stdout))
		gws, err := w.Istio.NetworkingV1().Gateways("helm").List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		require.Len(t, gws.Items, 1)
		gw := gws.Items[0]
		assert.Equal(t, map[string]string{"istio": "ingress"}, gw.Spec.Selector)
		require.Len(t, gw.Spec.Servers, 1)
		assert.Equal(t, uint32(80), gw.Spec.Servers[0].Port.Number)
		assert.Equal(t, "HTTP", gw.Spec.Servers[0].Port.Protocol)

		// Again: nothing changes, and it still says which gateway.
		before := w.snapshot(t, "helm")
		r = w.Kubectl("expose-gw", "-n", "helm", "flaskapp", "--prefix", "/env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{usingHelm}, lines(r.Stderr))
		assert.Equal(t, before, w.snapshot(t, "helm"))

		r = w.Kubectl("expose-gw", "-n", "helm", "url", "flaskapp")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, "http://127.0.0.1/env", lines(r.Stdout)[0])

		r = w.Kubectl("expose-gw", "url")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, "http://127.0.0.1\nhttps://127.0.0.1\n", r.Stdout)
		assert.Equal(t, []string{usingHelm}, lines(r.Stderr))

		r = w.Kubectl("expose-gw", "url", "-o", "env", "--explain")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stdout, "export INGRESS_NAME=istio-ingress\nexport INGRESS_NS=istio-ingress\nexport INGRESS_HOST=127.0.0.1\nexport INGRESS_PORT=80\n")
		assert.Contains(t, r.Stderr, "#   kubectl get pods --all-namespaces -l istio -o jsonpath=")
		assert.Contains(t, r.Stderr, "#   kubectl get pods --all-namespaces -l istio=ingress -o jsonpath=")
	})

	t.Run("a request reaches the route through the Helm gateway", func(t *testing.T) {
		p := testenv.StartProxy(t, w.Env, "-n", "helm", "flaskapp", "--via", "port-forward")
		base, stderr := p.URL, p.StderrNow
		resp, err := http.Get(base + "/env/version")
		require.NoError(t, err, stderr())
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode, string(body))
		reqs := w.Upstream.Requests()
		require.NotEmpty(t, reqs)
		last := reqs[len(reqs)-1]
		assert.Equal(t, "/env/version", last.Path)
		assert.Equal(t, "flaskapp.helm.svc.cluster.local", last.Service())
	})

	t.Run("two ingress gateways: one line naming them, nothing written; --gateway-selector picks one", func(t *testing.T) {
		w.SeedHelmGateway("gw-public", "gw-public", "public")
		w.app("two", "flaskapp")
		before := w.snapshot(t, "two")
		r := w.Kubectl("expose-gw", "-n", "two", "flaskapp", "--prefix", "/env")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, severalErr, r.Stderr)
		assert.Empty(t, r.Stdout)
		assert.Equal(t, before, w.snapshot(t, "two"))

		r = w.Kubectl("expose-gw", "url")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, severalErr, r.Stderr)
		r = w.Kubectl("expose-gw", "proxy", "--host", "flask.example.com", "--local-port", "0")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, severalErr, r.Stderr)

		r = w.Kubectl("expose-gw", "-n", "two", "flaskapp", "--prefix", "/env", "--gateway-selector", "istio=public")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.NotContains(t, r.Stderr, "Using the ingress gateway")
		assert.Equal(t, map[string]string{"istio": "public"}, w.gw(t, "two", "expose-gw-istio-public").Spec.Selector)

		// The route exposed earlier keeps its gateway: its Gateway's selector says which.
		r = w.Kubectl("expose-gw", "-n", "helm", "url", "flaskapp")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, "http://127.0.0.1/env", lines(r.Stdout)[0])
	})
}
