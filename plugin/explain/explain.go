// Package explain is `kubectl expose-gw explain URL`: what the gateway
// does with one request, walked hop by hop as Istio routes it, over every
// route of the cluster.
package explain

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/diagnose"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Options holds the flags and resolved state of `explain`.
type Options struct {
	flags *kube.ConfigFlags

	URL             string
	Host            string
	Headers         []string
	Method          string
	API             string
	Gateway         string
	GatewaySelector string
	Output          string
	// Live also walks the request through what a gateway pod runs.
	Live bool

	in      route.ExplainInput
	clients *kube.Clients
	genericiooptions.IOStreams
}

const example = `  # Why does this URL 404? (the Host header is the URL's host)
  kubectl expose-gw explain http://shop.example.com/api/cart

  # A URL written with the gateway's address: name the Host header
  kubectl expose-gw explain http://172.18.0.2:31380/env/version --host flaskapp.example.com

  # A request with a header and a method, as JSON for a script
  kubectl expose-gw explain https://shop.example.com/api -X POST -H 'x-canary: 1' -o json

  # Does the running gateway do what the objects say? (Envoy's config_dump through a port-forward)
  kubectl expose-gw explain http://shop.example.com/api --live

  # Through a Gateway API Gateway (its listener's port)
  kubectl expose-gw explain http://shop.example.com/ --api gateway-api --gateway infra/shared`

// NewCmd returns the `explain` command.
func NewCmd(flags *kube.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &Options{flags: flags, IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "explain URL",
		Short: "Explain what the gateway does with a request: which rule of which route takes it, or why it gets a 404 or 503",
		Long: `Walk one request through the ingress gateway as Istio routes it, over every route in the
cluster (the tool's, other teams' VirtualServices and HTTPRoutes): the gateway Service port
(a NodePort is recognised), the Gateway server or listener on it (for https, the one the SNI
picks, and its certificate Secret), the virtual host for the Host header, the first matching
rule in Istio's order, its rewrite, redirect or direct response, the destination Service
and its ready endpoints. Rules that also match but lose are listed as shadowed, with why.

URL is http[s]://HOST[:PORT]/PATH[?QUERY]: HOST is the Host header (and SNI), --host
overrides it; PORT (default 80/443) is a port of the gateway Service, or of the Gateway's
listener with the Gateway API.

With --live, the request is also walked through what a gateway pod actually runs: Envoy's
/config_dump, read through a port-forward to its admin port 15000 (listeners, filter chains,
route configurations, virtual hosts, first matching route), and any difference from the
objects' verdict is said: istiod has not pushed a change yet, or Istio rejected an object.

Exit code 0 when the request is routed, redirected or answered directly (and, with --live,
the running gateway agrees), 1 otherwise.`,
		Example: example,
		Args:    cobra.ExactArgs(1),
		RunE:    cli.RunE(o),
	}
	f := cmd.Flags()
	f.StringVar(&o.Host, "host", "", "The Host header (and SNI) to send, when the URL's host is the gateway's address")
	f.StringArrayVarP(&o.Headers, "header", "H", nil, "A request header, 'Name: value' (repeatable)")
	f.StringVarP(&o.Method, "request", "X", "GET", "The request method")
	apis.AddFlag(cmd, &o.API)
	f.StringVar(&o.Gateway, "gateway", "", "The Gateway the request reaches, [NAMESPACE/]NAME (Gateway API: each has its own address; default the only one of class istio)")
	f.StringVar(&o.GatewaySelector, "gateway-selector", "", "Labels of the gateway pods, KEY=VALUE[,KEY=VALUE] (default istio=ingressgateway, else the one ingress gateway running)")
	f.BoolVar(&o.Live, "live", false, "Also walk the request through what a gateway pod runs (Envoy's /config_dump, by a port-forward to its admin port 15000) and say where it differs from the objects")
	f.StringVarP(&o.Output, "output", "o", "text", "Output format: "+strings.Join(formats, "|"))
	return cmd
}

var formats = []string{"text", "json", "yaml"}

// Complete takes the argument.
func (o *Options) Complete(_ *cobra.Command, args []string) error {
	o.URL = args[0]
	return nil
}

// Validate reads the URL and flags, without touching the cluster.
func (o *Options) Validate() error {
	if !slices.Contains(formats, o.Output) {
		return cli.InvalidOutput(o.Output, formats)
	}
	in, err := ParseRequest(o.URL, o.Host, o.Method, o.Headers)
	if err != nil {
		return err
	}
	o.in = *in
	if _, o.in.Selector, err = route.ParseGatewayFlags("", o.GatewaySelector); err != nil {
		return err
	}
	if o.in.Gateway, err = apis.ParseTarget(o.API, o.Gateway); err != nil {
		return err
	}
	return apis.ValidateIstioFlags(o.API, o.Gateway, o.GatewaySelector, "", "")
}

// Run explains the request and prints the verdict.
func (o *Options) Run(ctx context.Context) error {
	if err := kube.Connect(&o.clients, o.flags, nil); err != nil {
		return err
	}
	if g := o.in.Gateway; g != nil && g.Namespace == "" {
		g.Namespace = o.clients.Namespace
	}
	set := apis.New(ctx, o.clients)
	defer set.Close()
	// auto's line is said only once the request is explained: a refused
	// one gets its error alone.
	var said []string
	api, err := set.Choose(ctx, apis.Choice{Flag: o.API, Gateway: o.in.Gateway, IstioFlags: o.GatewaySelector != "",
		Say: func(s string) { said = append(said, s) }})
	if err != nil {
		return err
	}
	if g := o.in.Gateway; g != nil && !api.HasGateway(ctx, *g) {
		return fmt.Errorf("--gateway %s: no Gateway %s of the %s: expected an existing Gateway, [NAMESPACE/]NAME", g, g, api.Title())
	}
	e, err := api.Explain(ctx, &o.in)
	if err != nil {
		return err
	}
	if o.Live && e.Gateway.Service != "" {
		if err := diagnose.Live(ctx, o.clients, e, &o.in); err != nil {
			return err
		}
	}
	for _, s := range said {
		cli.Line(o.ErrOut)(s)
	}
	if err := print(o.Out, o.Output, e); err != nil {
		return err
	}
	if !e.Answered() || (e.Live != nil && !e.Live.Agrees) {
		return &cli.ExitError{Code: 1}
	}
	return nil
}
