// Package gwapi checks the test environment's Gateway API cluster against
// Istio: Gateways of class istio get the Service and pod Istio deploys,
// requests to that pod are routed by Istio's Gateway API translation, and
// the objects' status is what Istio's gateway controller computed.
package gwapi

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// get sends GET path with host to addr and returns the status and, when
// the request reached a Service, what the upstream stand-in saw.
func get(t *testing.T, addr, host, path string) (int, testenv.Request, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	require.NoError(t, err)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var seen testenv.Request
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(b, &seen), string(b))
	}
	return resp.StatusCode, seen, string(b)
}

// condition is the condition typ of the first parent status of route.
func parentCondition(t *testing.T, env *testenv.Env, ns, name, typ string) metav1.Condition {
	t.Helper()
	r, err := env.GatewayAPI.GatewayV1().HTTPRoutes(ns).Get(env.Ctx(), name, metav1.GetOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, r.Status.Parents, "HTTPRoute %s/%s has no status.parents", ns, name)
	for _, c := range r.Status.Parents[0].Conditions {
		if c.Type == typ {
			return c
		}
	}
	t.Fatalf("HTTPRoute %s/%s: no %s condition in %+v", ns, name, typ, r.Status.Parents[0])
	return metav1.Condition{}
}

func TestGatewayAPIThroughIstio(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.CreateApp(testenv.App{Name: "flaskapp"})
	env.EnsureNamespace("other")
	ctx := env.Ctx()
	gw := env.GatewayAPI.GatewayV1()
	_, err := gw.Gateways("default").Create(ctx, gateway("default", "gw"), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = gw.HTTPRoutes("default").Create(ctx, route("default", "flask", "default", "gw", "/env", "flaskapp", "flask.example.com"), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = gw.HTTPRoutes("default").Create(ctx, route("default", "missing", "default", "gw", "/missing", "nope", "flask.example.com"), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = gw.HTTPRoutes("other").Create(ctx, route("other", "foreign", "default", "gw", "/foreign", "flaskapp", "flask.example.com"), metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()

	t.Run("Istio takes the cluster's Gateway API CRDs", func(t *testing.T) {
		// Istio ignores a Gateway API CRD without its bundle-version
		// annotation, or older than it needs, and logs it.
		assert.NotContains(t, env.IstioGateway.Log(), "expected to have a")
		assert.NotContains(t, env.IstioGateway.Log(), "below minimum version")
	})

	t.Run("Istio's deployment: Service and pod", func(t *testing.T) {
		svc, err := env.Kube.CoreV1().Services("default").Get(ctx, "gw-istio", metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, corev1.ServiceTypeLoadBalancer, svc.Spec.Type)
		assert.Equal(t, map[string]string{"gateway.networking.k8s.io/gateway-name": "gw"}, svc.Spec.Selector)
		var ports []string
		for _, p := range svc.Spec.Ports {
			ports = append(ports, p.Name)
			assert.Equal(t, intstr.FromInt32(p.Port), p.TargetPort, p.Name)
		}
		assert.Equal(t, []string{"status-port", "http"}, ports)
		pod, err := env.Kube.CoreV1().Pods("default").Get(ctx, env.GatewayPod("default", "gw"), metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, "gw", pod.Labels["gateway.networking.k8s.io/gateway-name"])
		assert.Equal(t, "gw", pod.Labels["istio.io/gateway-name"])
		assert.Equal(t, "gw-istio", pod.Labels["service.istio.io/canonical-name"])
		assert.Equal(t, corev1.PodRunning, pod.Status.Phase)
	})

	t.Run("routing through the pod's port-forward", func(t *testing.T) {
		addr := env.PortForward("default", env.GatewayPod("default", "gw"), 80)
		status, seen, body := get(t, addr, "flask.example.com", "/env/version")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
		assert.Equal(t, "/env/version", seen.Path)
		status, _, body = get(t, addr, "flask.example.com", "/envoy")
		assert.Equal(t, 404, status, "PathPrefix /env must not match /envoy: %s", body)
		status, _, body = get(t, addr, "flask.example.com", "/elsewhere")
		assert.Equal(t, 404, status, body)
		status, _, body = get(t, addr, "other.example.com", "/env")
		assert.Equal(t, 404, status, "a host no route names: %s", body)
	})

	t.Run("HTTPRoute status from Istio", func(t *testing.T) {
		c := parentCondition(t, env, "default", "flask", "Accepted")
		assert.Equal(t, metav1.ConditionTrue, c.Status, c.Message)
		c = parentCondition(t, env, "default", "flask", "ResolvedRefs")
		assert.Equal(t, metav1.ConditionTrue, c.Status, c.Message)
		c = parentCondition(t, env, "default", "missing", "ResolvedRefs")
		assert.Equal(t, metav1.ConditionFalse, c.Status)
		assert.Equal(t, "BackendNotFound", c.Reason, c.Message)
		c = parentCondition(t, env, "other", "foreign", "Accepted")
		assert.Equal(t, metav1.ConditionFalse, c.Status)
		assert.Equal(t, "NotAllowedByListeners", c.Reason, c.Message)
	})

	t.Run("the Istio docs' look-ups with kubectl", func(t *testing.T) {
		r := env.Kubectl("get", "gtw", "gw", "-o", `jsonpath={.status.addresses[0].value}`)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		// Istio reports no address while the LoadBalancer Service is
		// pending (it leaves out pending hostnames).
		assert.Equal(t, "", r.Stdout, "no load balancer address yet")
		r = env.Kubectl("get", "gtw", "gw", "-o", `jsonpath={.spec.listeners[?(@.name=="http")].port}`)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, "80", r.Stdout)

		svc, err := env.Kube.CoreV1().Services("default").Get(ctx, "gw-istio", metav1.GetOptions{})
		require.NoError(t, err)
		svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.10"}}
		_, err = env.Kube.CoreV1().Services("default").UpdateStatus(ctx, svc, metav1.UpdateOptions{})
		require.NoError(t, err)
		env.IstioGateway.Sync()
		r = env.Kubectl("get", "gtw", "gw", "-o", `jsonpath={.status.addresses[0].value}`)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, "192.0.2.10", r.Stdout)
		g, err := gw.Gateways("default").Get(ctx, "gw", metav1.GetOptions{})
		require.NoError(t, err)
		conds := map[string]metav1.ConditionStatus{}
		for _, c := range g.Status.Conditions {
			conds[c.Type] = c.Status
		}
		assert.Equal(t, map[string]metav1.ConditionStatus{"Accepted": "True", "Programmed": "True", "ResolvedRefs": "True"}, conds, "%+v", g.Status)
		require.Len(t, g.Status.Listeners, 1)
		assert.Equal(t, int32(2), g.Status.Listeners[0].AttachedRoutes, "flask and missing attach (a route with a missing backend is still accepted); foreign is not allowed")
	})

	t.Run("a second Gateway in the namespace is another proxy", func(t *testing.T) {
		internal := gateway("default", "internal")
		internal.Annotations = map[string]string{"networking.istio.io/service-type": "ClusterIP"}
		_, err := gw.Gateways("default").Create(ctx, internal, metav1.CreateOptions{})
		require.NoError(t, err)
		_, err = gw.HTTPRoutes("default").Create(ctx, route("default", "inside", "default", "internal", "/inside", "flaskapp"), metav1.CreateOptions{})
		require.NoError(t, err)
		env.IstioGateway.Sync()
		svc, err := env.Kube.CoreV1().Services("default").Get(ctx, "internal-istio", metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, corev1.ServiceTypeClusterIP, svc.Spec.Type)
		r := env.Kubectl("get", "gtw", "internal", "-o", `jsonpath={.status.addresses[0].value}`)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, "internal-istio.default.svc.cluster.local", r.Stdout, "a ClusterIP Service: its hostname")

		in := env.PortForward("default", env.GatewayPod("default", "internal"), 80)
		status, seen, body := get(t, in, "any.example.com", "/inside/x")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
		status, _, _ = get(t, in, "flask.example.com", "/env")
		assert.Equal(t, 404, status, "gw's routes are not on internal")
		out := env.PortForward("default", env.GatewayPod("default", "gw"), 80)
		status, _, _ = get(t, out, "any.example.com", "/inside/x")
		assert.Equal(t, 404, status, "internal's routes are not on gw")
	})

	t.Run("a load balancer address", func(t *testing.T) {
		addr := "127.0.0.1:" + itoa(testenv.FreeNodePort(t))
		env.IstioGateway.ListenGateway(addr, "default", "gw", 80)
		status, seen, body := get(t, addr, "flask.example.com", "/env")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
	})

	t.Run("the Gateway goes, its deployment goes", func(t *testing.T) {
		require.NoError(t, gw.Gateways("default").Delete(ctx, "gw", metav1.DeleteOptions{}))
		env.IstioGateway.Sync()
		_, err := env.Kube.CoreV1().Services("default").Get(ctx, "gw-istio", metav1.GetOptions{})
		assert.True(t, apierrors.IsNotFound(err), "Service: %v", err)
		pods, err := env.Kube.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "gateway.networking.k8s.io/gateway-name=gw"})
		require.NoError(t, err)
		assert.Empty(t, pods.Items)
	})
}
