// Package lint is `kubectl expose-gw lint`: every problem that keeps a
// route of the cluster from working, the tool's or not, with the objects
// involved and the fix.
package lint

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Options holds the flags and resolved state of `lint`.
type Options struct {
	flags *kube.ConfigFlags

	AllNamespaces   bool
	Host            string
	Output          string
	API             string
	GatewaySelector string

	in      route.LintInput
	clients *kube.Clients
	genericiooptions.IOStreams
}

const example = `  # What keeps the routes of the current namespace from working?
  kubectl expose-gw lint

  # Every route of the cluster, as JSON for CI (exit code 1 when anything is found)
  kubectl expose-gw lint -A -o json

  # Only the routes of one host
  kubectl expose-gw lint -A --host shop.example.com`

// NewCmd returns the `lint` command.
func NewCmd(flags *kube.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &Options{flags: flags, IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "lint",
		Short: "Report what keeps routes from working: unreachable rules, missing Gateways, Services, ports, endpoints and certificates",
		Long: `Check every route of the namespace (-A: of the cluster), written by this tool or not, as
Istio merges them: rules no request reaches (and which earlier rule takes their requests,
across VirtualServices, namespaces and HTTPRoutes by the Gateway API's precedence), Virtual-
Services bound to a Gateway that does not exist or serves none of their hosts or that their
exportTo hides, Gateways whose selector matches no pods or whose ports the gateway Service
lacks, certificates missing from the gateway pods' namespace, destinations that do not exist
or have no ready endpoints, HTTPRoutes Istio did not accept or whose references it could not
resolve (its reason quoted). Codes are Istio analyzers' where the check is one of them
(IST0101, IST0132, IST0161, IST0162), EGW… for the tool's own.

Exit code 1 when anything is found, for CI.`,
		Example: example,
		Args:    cobra.NoArgs,
		RunE:    cli.RunE(o),
	}
	f := cmd.Flags()
	f.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Check the routes of every namespace")
	f.StringVar(&o.Host, "host", "", "Only the routes of this host")
	f.StringVarP(&o.Output, "output", "o", "text", "Output format: "+strings.Join(formats, "|"))
	apis.AddFlag(cmd, &o.API)
	f.StringVar(&o.GatewaySelector, "gateway-selector", "", "Labels of the Istio gateway pods, KEY=VALUE[,KEY=VALUE] (default istio=ingressgateway, else the one ingress gateway running)")
	return cmd
}

var formats = []string{"text", "json"}

// Complete has nothing to take: lint has no arguments.
func (o *Options) Complete(*cobra.Command, []string) error { return nil }

// Validate checks the flags, without touching the cluster.
func (o *Options) Validate() error {
	if !slices.Contains(formats, o.Output) {
		return cli.InvalidOutput(o.Output, formats)
	}
	if err := apis.Validate(o.API); err != nil {
		return err
	}
	if o.Host != "" {
		h, err := route.ParseHost(o.Host) // its error names --host
		if err != nil {
			return err
		}
		o.in.Host = h
	}
	var err error
	if _, o.in.Selector, err = route.ParseGatewayFlags("", o.GatewaySelector); err != nil {
		return err
	}
	return apis.ValidateIstioFlags(o.API, "", o.GatewaySelector, "", "")
}

// Run checks and prints.
func (o *Options) Run(ctx context.Context) error {
	if err := kube.Connect(&o.clients, o.flags, nil); err != nil {
		return err
	}
	o.in.Namespace, o.in.All = o.clients.Namespace, o.AllNamespaces
	set := apis.New(ctx, o.clients)
	defer set.Close()
	list := set.All()
	if o.API != apis.Auto {
		list = []apis.API{set.Named(o.API)}
	}
	res, err := apis.Read(ctx, list, "checked", func(ctx context.Context, a apis.API) ([]route.Finding, bool, error) {
		fs, err := a.Lint(ctx, &o.in)
		return fs, true, err
	})
	if err != nil {
		return err
	}
	cli.Warn(o.ErrOut, res.Warnings...)
	var found []route.Finding
	for _, f := range res.Found {
		found = append(found, f.Items...)
	}
	if err := print(o.Out, o.Output, found); err != nil {
		return err
	}
	if len(found) > 0 {
		return &cli.ExitError{Code: 1}
	}
	return nil
}

func print(w io.Writer, format string, fs []route.Finding) error {
	if format == "json" {
		if fs == nil {
			fs = []route.Finding{}
		}
		b, err := json.MarshalIndent(map[string]any{"items": fs}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	if len(fs) == 0 {
		_, err := fmt.Fprintln(w, "no problems found")
		return err
	}
	for _, f := range fs {
		rule := ""
		if f.Rule != nil {
			rule = fmt.Sprintf(" rule %d", *f.Rule)
		}
		fmt.Fprintf(w, "%s %s %s/%s%s: %s\n", f.Code, f.Kind, f.Namespace, f.Name, rule, f.Message)
		if f.Fix != "" {
			fmt.Fprintf(w, "  fix: %s\n", f.Fix)
		}
	}
	return nil
}
