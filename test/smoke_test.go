package test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestSmoke proves the chain every other test stands on: a real apiserver
// with the Istio CRDs accepts (and validates) the seed's Gateway and
// VirtualService, kwok runs the gateway pod, a port-forward through the
// apiserver reaches the Istio-driven gateway, and Istio's control plane
// routes the article's request to flaskapp.
func TestSmoke(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	world := env.SeedWorld(testenv.WorldOptions{})
	ctx := env.Ctx()

	gw := &networkingv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: "flaskapp-gateway", Namespace: "default"},
		Spec: apinet.Gateway{
			Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*apinet.Server{{
				Port:  &apinet.Port{Number: 80, Name: "http", Protocol: "HTTP"},
				Hosts: []string{"*"},
			}},
		},
	}
	_, err := env.Istio.NetworkingV1().Gateways("default").Create(ctx, gw, metav1.CreateOptions{})
	require.NoError(t, err)
	vs := &networkingv1.VirtualService{
		ObjectMeta: metav1.ObjectMeta{Name: "flaskapp", Namespace: "default"},
		Spec: apinet.VirtualService{
			Hosts:    []string{"*"},
			Gateways: []string{"flaskapp-gateway"},
			Http: []*apinet.HTTPRoute{{
				Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: "/env"}}}},
				Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{
					Host: "flaskapp.default.svc.cluster.local", Port: &apinet.PortSelector{Number: 80}}}},
			}},
		},
	}
	_, err = env.Istio.NetworkingV1().VirtualServices("default").Create(ctx, vs, metav1.CreateOptions{})
	require.NoError(t, err)

	got, err := env.Istio.NetworkingV1().VirtualServices("default").Get(ctx, "flaskapp", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "/env", got.Spec.Http[0].Match[0].Uri.GetPrefix())
	assert.Equal(t, "flaskapp.default.svc.cluster.local", got.Spec.Http[0].Route[0].Destination.Host)
	gotGw, err := env.Istio.NetworkingV1().Gateways("default").Get(ctx, "flaskapp-gateway", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, uint32(80), gotGw.Spec.Servers[0].Port.Number)

	// The CRD schema validates for real: a server without hosts is refused.
	bad := gw.DeepCopy()
	bad.Name = "bad"
	bad.Spec.Servers[0].Hosts = nil
	_, err = env.Istio.NetworkingV1().Gateways("default").Create(ctx, bad, metav1.CreateOptions{})
	require.Error(t, err, "the apiserver must validate Gateways against the Istio CRD schema")

	sync := env.IstioGateway.Sync()
	t.Logf("Istio-driven gateway: build %d took %s; listeners %v", sync.Build, sync.BuildTook, sync.Listeners)
	assert.Equal(t, []uint32{8080}, sync.Listeners[testenv.IstioNamespace], "Istio listens on the Service's targetPort")

	// Port-forward to the gateway pod through the apiserver reaches the Istio-driven gateway.
	req := env.Kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(world.GatewayPod.Namespace).
		Name(world.GatewayPod.Name).SubResource("portforward")
	tr, upgrader, err := spdy.RoundTripperFor(env.Config)
	require.NoError(t, err)
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: tr}, http.MethodPost, req.URL())
	stop, ready := make(chan struct{}), make(chan struct{})
	defer close(stop)
	pf, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{"0:8080"}, stop, ready, io.Discard, io.Discard)
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() { errc <- pf.ForwardPorts() }()
	select {
	case <-ready:
	case err := <-errc:
		t.Fatalf("port-forward failed: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("port-forward not ready after 20s")
	}
	ports, err := pf.GetPorts()
	require.NoError(t, err)
	hreq, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/env/version", ports[0].Local), nil)
	hreq.Host = "flask.example.com"
	resp, err := http.DefaultClient.Do(hreq)
	require.NoError(t, err)
	defer resp.Body.Close()
	var seen testenv.Request
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&seen))
	assert.Equal(t, "flask.example.com", seen.Host)
	assert.Equal(t, "/env/version", seen.Path)
	assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster, "the cluster Istio chose")
	require.Len(t, env.Upstream.Requests(), 1)

	// Istio's gateway says so with Envoy's headers: the route's answer
	// came through it (x-envoy-upstream-service-time), with Envoy's
	// server name written over the application's (Istio's default).
	assert.NotEmpty(t, resp.Header.Get("X-Envoy-Upstream-Service-Time"), "a forwarded answer carries x-envoy-upstream-service-time")
	assert.Equal(t, "istio-envoy", resp.Header.Get("Server"))

	// A path no route takes: Envoy's own 404, with an empty body.
	hreq, _ = http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/other", ports[0].Local), nil)
	resp2, err := http.DefaultClient.Do(hreq)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp2.StatusCode)
	assert.Empty(t, string(body), "Envoy's 404 for no route has no body")
	assert.Empty(t, resp2.Header.Get("X-Envoy-Upstream-Service-Time"), "the gateway answered itself")
	assert.Equal(t, "istio-envoy", resp2.Header.Get("Server"))
	assert.Contains(t, resp2.Header.Get("X-Istiogw-Decision"), "route_not_found")
	require.Len(t, env.Upstream.Requests(), 1, "nothing Istio does not route reaches a Service")

	// The real kubectl finds the plugin on PATH and runs it as `kubectl expose-gw`.
	r := env.Kubectl("expose-gw", "version")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Regexp(t, `^v\d+\.\d+\.\d+\S*\n$`, r.Stdout, "version must be a semantic version")
}
