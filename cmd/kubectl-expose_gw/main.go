// Command kubectl-expose_gw is the kubectl plugin `kubectl expose-gw`: it
// exposes a Service through the Istio ingress gateway, tells where it can be
// reached and proxies to it with the right Host header.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	_ "k8s.io/client-go/plugin/pkg/client/auth" // cloud auth providers in kubeconfigs

	"github.com/expose-gw/kubectl-expose-gw/plugin"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	err := plugin.NewRootCmd(streams).ExecuteContext(ctx)
	stop()
	var exit *cli.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.Code)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
