// Package plugin is the root of `kubectl expose-gw`: it wires the
// commands (one package each: expose, list, delete, url, proxy) under
// kubectl's flags, with version and completion. docs/layout.md maps the
// packages below it.
package plugin

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/delete"
	"github.com/expose-gw/kubectl-expose-gw/plugin/explain"
	"github.com/expose-gw/kubectl-expose-gw/plugin/expose"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/lint"
	"github.com/expose-gw/kubectl-expose-gw/plugin/list"
	"github.com/expose-gw/kubectl-expose-gw/plugin/proxy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/url"
)

// NewRootCmd returns `kubectl expose-gw` with every standard kubectl flag
// (--kubeconfig, --context, -n, --as, --request-timeout, ...) and its
// subcommands.
func NewRootCmd(streams genericiooptions.IOStreams) *cobra.Command {
	flags := kube.NewConfigFlags()
	cmd := &cobra.Command{
		Use:   "expose-gw",
		Short: "Expose a Service through the Istio ingress gateway, find its URL and proxy to it",
		Long: `kubectl expose-gw writes the Istio Gateway and VirtualService that make a Service
reachable through the ingress gateway, tells where the gateway can be reached, and runs
a local proxy that sends the Host header the route needs.`,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl expose-gw"},
		SilenceUsage:  true,
		SilenceErrors: true,
		// cobra's default, set here: SuggestionsFor (the did-you-mean of a
		// SERVICE that names no Service) reads it unset as 0.
		SuggestionsMinimumDistance: 2,
	}
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	flags.AddFlags(cmd.PersistentFlags())
	addVerbosityFlag(cmd.PersistentFlags())
	cmd.AddCommand(NewCmdVersion(streams))
	expose.AddToRoot(cmd, flags, streams)
	cmd.AddCommand(list.NewCmd(flags, streams), delete.NewCmd(flags, streams))
	cmd.AddCommand(url.NewCmd(flags, streams))
	cmd.AddCommand(proxy.NewCmd(flags, streams))
	cmd.AddCommand(explain.NewCmd(flags, streams), lint.NewCmd(flags, streams))
	RegisterCompletions(cmd, flags) // last: it reads the subcommands' usage
	return cmd
}
