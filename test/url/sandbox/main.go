// Command sandbox starts the seed's world (real kube-apiserver, etcd, kwok,
// the Istio CRDs, istio-system/istio-ingressgateway as a NodePort with a
// Running gateway pod) for test/url/bench.sh, writes the admin kubeconfig
// path to -kubeconfig-out, and runs until interrupted.
//
//	go run ./test/url/sandbox -kubeconfig-out /tmp/kc-path
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

func main() {
	out := flag.String("kubeconfig-out", "", "file to write the kubeconfig path to once the sandbox is ready")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := testenv.NewRunner(ctx, "expose-gw-sandbox-", nil)
	err := r.Run(func() {
		env := testenv.Start(r, testenv.Options{Kwok: true})
		env.SeedWorld(testenv.WorldOptions{})
		if *out != "" {
			if err := os.WriteFile(*out, []byte(env.Kubeconfig), 0o600); err != nil {
				r.Fatal(err)
			}
		}
		fmt.Fprintln(os.Stderr, "sandbox ready, kubeconfig:", env.Kubeconfig)
		<-ctx.Done()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}
