// Command demo runs the seed story end to end on a local sandbox: a real
// kube-apiserver, etcd and kwok, the Istio CRDs, the seed's world, and a
// local HTTP server standing in for the ingress gateway's Envoy. It prints
// each command before running it and exits non-zero when a step fails.
//
//	go run ./test/demo [-keep] [-v]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

func main() {
	keep := flag.Bool("keep", os.Getenv("KEEP") == "1", "keep the sandbox running after the demo (until Ctrl-C)")
	verbose := flag.Bool("v", false, "show the sandbox's own log lines")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var log io.Writer
	if *verbose {
		log = os.Stderr
	}
	r := testenv.NewRunner(ctx, "expose-gw-demo-", log)
	err := r.Run(func() {
		d := &demo{r: r, out: os.Stdout}
		d.steps()
		if *keep {
			d.keep()
		}
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}
