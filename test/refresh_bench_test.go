package test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// BenchmarkGatewayRefresh is the Istio-driven gateway's refresh latency:
// from a VirtualService written to the apiserver until the gateway (watch,
// 20 ms debounce, Istio's config generation) routes a request by it,
// polled every millisecond, without the tests' sync barrier.
//
//	go test -run NONE -bench BenchmarkGatewayRefresh -benchtime 20x ./test/
func BenchmarkGatewayRefresh(b *testing.B) {
	env := testenv.Start(b, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{})
	ctx := env.Ctx()
	gw := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "bench", Namespace: "default"},
		Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*apinet.Server{{Port: &apinet.Port{Number: 80, Name: "http", Protocol: "HTTP"}, Hosts: []string{"*"}}}}}
	if _, err := env.Istio.NetworkingV1().Gateways("default").Create(ctx, gw, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	env.IstioGateway.Sync()
	addr := env.IstioGateway.PortAddr(testenv.IstioNamespace, 8080)
	c := &http.Client{Timeout: 5 * time.Second}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		path := fmt.Sprintf("/r%d", i)
		vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("r%d", i), Namespace: "default"},
			Spec: apinet.VirtualService{Hosts: []string{"*"}, Gateways: []string{"bench"}, Http: []*apinet.HTTPRoute{{
				Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: path}}}},
				Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: "flaskapp.default.svc.cluster.local", Port: &apinet.PortSelector{Number: 80}}}},
			}}}}
		if _, err := env.Istio.NetworkingV1().VirtualServices("default").Create(ctx, vs, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := c.Get("http://" + addr + path)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				b.Fatalf("route %s not served after 30s", path)
			}
			time.Sleep(time.Millisecond)
		}
	}
}
