// Command sandbox starts the seed's world for test/check/bench.sh: a real
// kube-apiserver, etcd, kwok, the Istio-driven test gateway reachable at
// a NodePort on 127.0.0.1, and flaskapp exposed at flask.example.com/env
// by the plugin. It writes "KUBECONFIG NODEPORT" to -out once ready and
// runs until interrupted. EXPOSE_GW_PLUGIN_DIR names the plugin to use.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

func main() {
	out := flag.String("out", "", "file to write the kubeconfig path and the NodePort to once ready")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := testenv.NewRunner(ctx, "expose-gw-check-", nil)
	err := r.Run(func() {
		env := testenv.Start(r, testenv.Options{Kwok: true})
		nodePort := testenv.FreeNodePort(r)
		env.IstioGateway.Listen("127.0.0.1:"+strconv.Itoa(nodePort), testenv.IstioNamespace, 8080)
		env.SeedWorld(testenv.WorldOptions{HTTPNodePort: int32(nodePort)})
		if res := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/env", "--host", "flask.example.com"); res.ExitCode != 0 {
			r.Fatalf("expose: %s", res.Stderr)
		}
		env.Upstream.SetRecording(false)
		if *out != "" {
			if err := os.WriteFile(*out, []byte(fmt.Sprintf("%s %d\n", env.Kubeconfig, nodePort)), 0o600); err != nil {
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
