// Command sandbox starts the test control plane (kube-apiserver, etcd, kwok)
// with the seed's world for the proxy benchmark (test/bench/proxy.sh): the
// Istio-driven test gateway (bin/istiogw) listens on the gateway's NodePort
// on 127.0.0.1 and is the target of port-forwards to the gateway pod, so
// every way in reaches the same gateway. It writes shell variables to the file given as argument and
// runs until SIGINT/SIGTERM.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

const body = `{"version":"1.0","app":"flaskapp"}` + "\n"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sandbox ENV_FILE")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := testenv.NewRunner(ctx, "expose-gw-bench-", nil)
	if err := r.Run(func() { run(ctx, r, os.Args[1]) }); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, r *testenv.Runner, envFile string) {
	port := testenv.FreeNodePort(r)
	env := testenv.Start(r, testenv.Options{Kwok: true})
	// The Istio-driven gateway serves the NodePort, as kube-proxy would.
	env.IstioGateway.Listen(fmt.Sprintf("127.0.0.1:%d", port), testenv.IstioNamespace, 8080)
	env.Upstream.SetRecording(false) // millions of requests: keep the upstream's memory flat
	env.Upstream.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	env.SeedWorld(testenv.WorldOptions{HTTPNodePort: int32(port)})
	expose(ctx, r, env)
	env.IstioGateway.Sync()
	vars := fmt.Sprintf("KUBECONFIG=%s\nGATEWAY=127.0.0.1:%d\nHOST=flask.example.com\n", env.Kubeconfig, port)
	if err := os.WriteFile(envFile, []byte(vars), 0o600); err != nil {
		r.Fatalf("writing %s: %v", envFile, err)
	}
	fmt.Fprint(os.Stderr, "sandbox ready:\n"+vars)
	<-ctx.Done()
}

// expose writes what `kubectl expose-gw flaskapp --host flask.example.com
// --prefix /env` writes.
func expose(ctx context.Context, r *testenv.Runner, env *testenv.Env) {
	gw := &networkingv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: "flaskapp-gateway", Namespace: "default"},
		Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*apinet.Server{{Port: &apinet.Port{Number: 80, Name: "http", Protocol: "HTTP"}, Hosts: []string{"*"}}}},
	}
	if _, err := env.Istio.NetworkingV1().Gateways("default").Create(ctx, gw, metav1.CreateOptions{}); err != nil {
		r.Fatalf("creating the Gateway: %v", err)
	}
	vs := &networkingv1.VirtualService{
		ObjectMeta: metav1.ObjectMeta{Name: "flaskapp", Namespace: "default"},
		Spec: apinet.VirtualService{Hosts: []string{"flask.example.com"}, Gateways: []string{"flaskapp-gateway"},
			Http: []*apinet.HTTPRoute{{
				Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: "/env"}}}},
				Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{
					Host: "flaskapp.default.svc.cluster.local", Port: &apinet.PortSelector{Number: 80}}}},
			}}},
	}
	if _, err := env.Istio.NetworkingV1().VirtualServices("default").Create(ctx, vs, metav1.CreateOptions{}); err != nil {
		r.Fatalf("creating the VirtualService: %v", err)
	}
}
