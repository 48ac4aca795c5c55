package proxy

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestDirect runs the proxy against a gateway reachable from here: a
// NodePort on the kwok node (InternalIP 127.0.0.1) where the Istio-driven
// gateway listens as kube-proxy would forward it, then a LoadBalancer at
// 127.0.0.1, then with the gateway down. The upstream records which gateway
// address each request came through: never a port-forward's.
func TestDirect(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	nodePort := testenv.FreeNodePort(t)
	onNode := "127.0.0.1:" + strconv.Itoa(nodePort)
	env.IstioGateway.Listen(onNode, testenv.IstioNamespace, 8080)
	env.SeedWorld(testenv.WorldOptions{HTTPNodePort: int32(nodePort)})
	exposeRoute(t, env, "flaskapp", []string{"flask.example.com"}, "/env")

	get := func(t *testing.T, p *proc, via string) {
		t.Helper()
		status, body := p.Do("GET", "/env/version?x=1", nil)
		require.Equal(t, 200, status, body)
		var seen testenv.Request
		require.NoError(t, json.Unmarshal([]byte(body), &seen))
		assert.Equal(t, "flask.example.com", seen.Host)
		assert.Equal(t, "/env/version", seen.Path)
		assert.Equal(t, "x=1", seen.Query)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
		assert.Equal(t, via, seen.Via, "direct mode reaches the gateway at its own address, not through a port-forward")
	}

	t.Run("NodePort, --via direct", func(t *testing.T) {
		p := startProxy(t, env, "flaskapp", "--via", "direct")
		assert.Equal(t, []string{
			"Forwarding " + p.URL + " -> http://127.0.0.1:" + strconv.Itoa(nodePort) + " (NodePort) (Host: flask.example.com)",
			p.URL + "/env",
		}, p.Stdout)
		get(t, p, onNode)
		p.Stop()
	})

	t.Run("NodePort, --via auto goes direct", func(t *testing.T) {
		p := startProxy(t, env, "flaskapp")
		assert.Equal(t, "Forwarding "+p.URL+" -> http://127.0.0.1:"+strconv.Itoa(nodePort)+" (NodePort) (Host: flask.example.com)", p.Stdout[0])
		assert.Equal(t, "The gateway answers at http://127.0.0.1:"+strconv.Itoa(nodePort)+" (NodePort): going direct\n", p.stderr.String())
		get(t, p, onNode)
		p.Stop()
	})

	// The gateway becomes a LoadBalancer at 127.0.0.1:lbPort (to the pods'
	// 8080, where the Istio-driven gateway listens too); the Gateway server
	// follows the Service port, as Istio's port translation needs.
	lbPort := testenv.FreeNodePort(t)
	onLB := "127.0.0.1:" + strconv.Itoa(lbPort)
	env.IstioGateway.Listen(onLB, testenv.IstioNamespace, 8080)
	svc, err := env.Kube.CoreV1().Services(testenv.IstioNamespace).Get(env.Ctx(), testenv.GatewayName, metav1.GetOptions{})
	require.NoError(t, err)
	svc.Spec.Type = corev1.ServiceTypeLoadBalancer
	svc.Spec.Ports[0].Port = int32(lbPort)
	svc, err = env.Kube.CoreV1().Services(testenv.IstioNamespace).Update(env.Ctx(), svc, metav1.UpdateOptions{})
	require.NoError(t, err)
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "127.0.0.1"}}
	_, err = env.Kube.CoreV1().Services(testenv.IstioNamespace).UpdateStatus(env.Ctx(), svc, metav1.UpdateOptions{})
	require.NoError(t, err)
	gw, err := env.Istio.NetworkingV1().Gateways("default").Get(env.Ctx(), "gw-flaskapp", metav1.GetOptions{})
	require.NoError(t, err)
	gw.Spec.Servers[0].Port.Number = uint32(lbPort)
	_, err = env.Istio.NetworkingV1().Gateways("default").Update(env.Ctx(), gw, metav1.UpdateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()

	t.Run("LoadBalancer", func(t *testing.T) {
		p := startProxy(t, env, "flaskapp", "--via", "direct")
		assert.Equal(t, "Forwarding "+p.URL+" -> http://127.0.0.1:"+strconv.Itoa(lbPort)+" (LoadBalancer) (Host: flask.example.com)", p.Stdout[0])
		get(t, p, onLB)
		p.Stop()
	})

	t.Run("gateway down gives 502 with a clear body", func(t *testing.T) {
		p := startProxy(t, env, "flaskapp", "--via", "direct")
		env.IstioGateway.Unlisten(onLB)
		status, body := p.Do("GET", "/env/version", nil)
		assert.Equal(t, 502, status)
		assert.Equal(t, "expose-gw proxy: cannot reach the gateway at 127.0.0.1:"+strconv.Itoa(lbPort)+": dial tcp 127.0.0.1:"+strconv.Itoa(lbPort)+": connect: connection refused\n", body)
		p.Stop()
	})
}
