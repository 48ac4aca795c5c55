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

// runner lets testenv (written for *testing.T) run outside `go test`.
type runner struct {
	ctx      context.Context
	cleanups []func()
	failed   bool
}

func (r *runner) Helper()                      {}
func (r *runner) Logf(string, ...any)          {}
func (r *runner) Fatal(args ...any)            { r.fail(fmt.Sprint(args...)) }
func (r *runner) Fatalf(f string, args ...any) { r.fail(fmt.Sprintf(f, args...)) }
func (r *runner) Cleanup(f func())             { r.cleanups = append(r.cleanups, f) }
func (r *runner) Context() context.Context     { return r.ctx }
func (r *runner) Failed() bool                 { return r.failed }
func (r *runner) fail(msg string)              { r.failed = true; panic(msg) }
func (r *runner) TempDir() string {
	d, err := os.MkdirTemp("", "expose-gw-sandbox-")
	if err != nil {
		r.Fatalf("creating a temp dir: %v", err)
	}
	r.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func main() {
	out := flag.String("kubeconfig-out", "", "file to write the kubeconfig path to once the sandbox is ready")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := &runner{ctx: ctx}
	code := 0
	func() {
		defer func() {
			if v := recover(); v != nil {
				fmt.Fprintln(os.Stderr, "sandbox:", v)
				code = 1
			}
		}()
		env := testenv.Start(r, testenv.Options{Kwok: true})
		env.SeedWorld(testenv.WorldOptions{})
		if *out != "" {
			if err := os.WriteFile(*out, []byte(env.Kubeconfig), 0o600); err != nil {
				r.Fatal(err)
			}
		}
		fmt.Fprintln(os.Stderr, "sandbox ready, kubeconfig:", env.Kubeconfig)
		<-ctx.Done()
	}()
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	os.Exit(code)
}
