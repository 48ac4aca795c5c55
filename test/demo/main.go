// Command demo runs the seed story end to end on a local sandbox: a real
// kube-apiserver, etcd and kwok, the Istio CRDs, the seed's world, and a
// local HTTP server standing in for the ingress gateway's Envoy. It prints
// each command before running it and exits non-zero when a step fails.
//
//	go run ./test/demo [-keep] [-v]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	keep := flag.Bool("keep", os.Getenv("KEEP") == "1", "keep the sandbox running after the demo (until Ctrl-C)")
	verbose := flag.Bool("v", false, "show the sandbox's own log lines")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := &runner{ctx: ctx, verbose: *verbose}
	err := run(r, *keep)
	r.cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

// run runs the demo, turning the runner's Fatal into an error.
func run(r *runner, keep bool) (err error) {
	defer func() {
		if v := recover(); v != nil {
			f, ok := v.(fatal)
			if !ok {
				panic(v)
			}
			err = errors.New(f.msg)
		}
	}()
	d := &demo{r: r, out: os.Stdout}
	d.steps()
	if keep {
		d.keep()
	}
	return nil
}
