package gwapi

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

func TestProxyGatewayAPI(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	port := exposeOnPort(t, env)
	ctx := env.Ctx()

	t.Run("--via port-forward: the Gateway's pod on the listener's port, the route's Host", func(t *testing.T) {
		p := testenv.StartProxy(t, env, "flaskapp", "--via", "port-forward")
		addr, line := p.Addr, p.Line
		assert.Contains(t, line, fmt.Sprintf("-> port-forward to pod default/expose-gw-istio-0 port %d (Host: flask.example.com)", port))
		status, seen, body := get(t, addr, "", "/env/version")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
		assert.Equal(t, "flask.example.com", seen.Host)
		assert.Equal(t, "/env/version", seen.Path)
		status, _, _ = get(t, addr, "", "/elsewhere")
		assert.Equal(t, 404, status, "a path the route does not match is Istio's 404")
	})

	t.Run("a Gateway changed after Istio's last report on it: a warning, and the proxy still starts", func(t *testing.T) {
		setProbeListener(t, env, true)
		t.Cleanup(func() { setProbeListener(t, env, false); env.IstioGateway.Sync() })
		p := testenv.StartProxy(t, env, "flaskapp", "--via", "port-forward")
		addr, stderr := p.Addr, p.Stderr
		assert.Regexp(t, `Warning: Gateway default/expose-gw changed \(generation \d+\) after Istio's last report on it`, stderr)
		status, seen, body := get(t, addr, "", "/env/version")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
	})

	t.Run("--via auto: no address yet, a port-forward", func(t *testing.T) {
		svc, err := env.Kube.CoreV1().Services("default").Get(ctx, "expose-gw-istio", metav1.GetOptions{})
		require.NoError(t, err)
		svc.Spec.Type = corev1.ServiceTypeClusterIP
		for i := range svc.Spec.Ports {
			svc.Spec.Ports[i].NodePort = 0
		}
		// Istio would put the type back; the Gateway's annotation says ClusterIP.
		r := env.Kubectl("annotate", "gtw", "expose-gw", "networking.istio.io/service-type=ClusterIP")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		r = env.Kubectl("get", "gtw", "expose-gw", "-o", "jsonpath={.status.addresses[0].value}")
		require.Equal(t, "expose-gw-istio.default.svc.cluster.local", r.Stdout)
		p := testenv.StartProxy(t, env, "flaskapp")
		addr, line, stderr := p.Addr, p.Line, p.Stderr
		assert.Contains(t, stderr, "No direct way to the gateway (the address of Gateway default/expose-gw is expose-gw-istio.default.svc.cluster.local, only known inside the cluster; gateway Service default/expose-gw-istio is of type ClusterIP, without external IPs): using a port-forward")
		assert.Contains(t, line, "port-forward to pod default/expose-gw-istio-0")
		status, seen, body := get(t, addr, "", "/env")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
		r = env.Kubectl("expose-gw", "url", "flaskapp")
		assert.Equal(t, 1, r.ExitCode)
		assert.Contains(t, r.Stderr, "use `kubectl expose-gw proxy` to reach it through a port-forward")
		r = env.Kubectl("annotate", "gtw", "expose-gw", "networking.istio.io/service-type=LoadBalancer", "--overwrite")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
	})

	t.Run("--via direct: the Gateway's load balancer address", func(t *testing.T) {
		svc, err := env.Kube.CoreV1().Services("default").Get(ctx, "expose-gw-istio", metav1.GetOptions{})
		require.NoError(t, err)
		require.Equal(t, corev1.ServiceTypeLoadBalancer, svc.Spec.Type)
		svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "127.0.0.1"}}
		_, err = env.Kube.CoreV1().Services("default").UpdateStatus(ctx, svc, metav1.UpdateOptions{})
		require.NoError(t, err)
		env.IstioGateway.Sync()
		env.IstioGateway.ListenGateway(fmt.Sprintf("127.0.0.1:%d", port), "default", "expose-gw", port)
		p := testenv.StartProxy(t, env, "flaskapp", "--via", "direct")
		addr, line := p.Addr, p.Line
		assert.Contains(t, line, fmt.Sprintf("-> http://127.0.0.1:%d (Gateway) (Host: flask.example.com)", port))
		status, seen, body := get(t, addr, "", "/env/direct")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
		assert.Equal(t, "flask.example.com", seen.Host)
		assert.Equal(t, "/env/direct", seen.Path)

		p = testenv.StartProxy(t, env, "--host", "flask.example.com", "--api", "gateway-api")
		addr, line = p.Addr, p.Line
		assert.Contains(t, line, fmt.Sprintf("-> http://127.0.0.1:%d (Gateway)", port), "without SERVICE: the namespace's expose-gw Gateway")
		status, _, body = get(t, addr, "", "/env")
		assert.Equal(t, 200, status, body)
	})
}
