package url

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// URLOptions holds the flags and resolved state of `url`.
type URLOptions struct {
	flags *kube.ConfigFlags

	Service          string // SERVICE argument
	HTTPS            bool
	Output           string
	GatewaySelector  string
	IngressService   string
	IngressNamespace string
	Explain          bool
	// API is --api; Gateway is --gateway, [NS/]NAME of a Gateway of
	// that API.
	API     string
	Gateway string

	selector   map[string]string
	gatewayRef *route.ObjectRef
	clients    *kube.Clients
	genericiooptions.IOStreams
}

const urlExample = `  # Where is the ingress gateway? (http and https base URLs)
  kubectl expose-gw url

  # The URLs of the routes to Service flaskapp, with the Host header they need
  kubectl expose-gw url flaskapp

  # The variables of the Istio docs, for a shell
  eval "$(kubectl expose-gw url -o env)" && curl "http://$GATEWAY_URL/"

  # Also show the plain kubectl look-ups that give the same answer
  kubectl expose-gw url -o env --explain

  # Where a Gateway API Gateway is reached (its status.addresses[0], else its Service's nodePort)
  kubectl expose-gw url --api gateway-api --gateway infra/shared`

// NewCmd returns the `url` command.
func NewCmd(flags *kube.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &URLOptions{flags: flags, IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "url [SERVICE]",
		Short: "Print where the Istio ingress gateway (or a Service exposed through it) can be reached",
		Long: `Print the URL(s) of the Istio ingress gateway from outside the cluster: the
LoadBalancer's IPs or hostnames, spec.externalIPs, or the nodePort on the nodes that
run a Ready gateway pod. With SERVICE, print one URL per route to it found in the
VirtualServices of its namespace, with the Host header and a ready curl command.

The gateway Service is the one selecting the pods that match the Gateway's selector
(--gateway-selector, default istio=ingressgateway) in any namespace; with SERVICE,
each route's Gateway selector. When no pod matches istio=ingressgateway, the one
ingress gateway found by its pods' istio label (e.g. istio=ingress of Istio's Helm
chart) is used; several are an error naming them. --ingress-service names it
instead; istio-system/istio-ingressgateway is the last fall-back.

With the Kubernetes Gateway API (--api gateway-api, or auto without Istio gateway pods
when Istio's GatewayClass exists), the address is the Gateway's status.addresses[0]
with the listener's port once it is Programmed, as the Istio docs read it; while it is
pending or only the in-cluster Service name, the nodePort of the Service Istio
deployed for it. --gateway names the Gateway, else the expose-gw Gateway of the
namespace, else the only Gateway of class istio. With SERVICE, --api auto reads the
routes of both APIs (the Istio API's first): HTTPRoutes of its namespace with a
backendRef to it, on the listeners they attach to.`,
		Example: urlExample,
		Args:    cli.ServiceArgs(false),
		RunE:    cli.RunE(o),
	}
	f := cmd.Flags()
	f.BoolVar(&o.HTTPS, "https", false, "Only the https port and the HTTPS servers of Gateways")
	f.StringVarP(&o.Output, "output", "o", "url", "Output format: "+strings.Join(urlFormats, "|")+" (env: shell export lines; json: one object)")
	f.StringVar(&o.GatewaySelector, "gateway-selector", "", "Labels of the gateway pods, KEY=VALUE[,KEY=VALUE] (default istio=ingressgateway, else the one ingress gateway running)")
	f.StringVar(&o.IngressService, "ingress-service", "", "Name of the ingress gateway Service (skips the search by selector)")
	f.StringVar(&o.IngressNamespace, "ingress-namespace", "", "Namespace of the ingress gateway (default: where its pods run; istio-system with --ingress-service)")
	f.BoolVar(&o.Explain, "explain", false, "Also print (to stderr) the plain kubectl commands that give the same answer")
	apis.AddFlag(cmd, &o.API)
	f.StringVar(&o.Gateway, "gateway", "", "The Gateway whose address to print (or whose routes of SERVICE), [NAMESPACE/]NAME, of the chosen API (default, Gateway API: expose-gw of the namespace, else the only one of class istio)")
	return cmd
}

// urlFormats are the -o values of url.
var urlFormats = []string{"url", "env", "json"}

// Complete takes the argument.
func (o *URLOptions) Complete(_ *cobra.Command, args []string) error {
	if len(args) == 1 {
		o.Service = args[0]
	}
	return nil
}

// Validate checks the argument and flags, without touching the cluster:
// SERVICE and --gateway-selector are read as expose reads them.
func (o *URLOptions) Validate() error {
	var err error
	if o.Service, o.selector, err = route.ParseGatewayFlags(o.Service, o.GatewaySelector); err != nil {
		return err
	}
	if !slices.Contains(urlFormats, o.Output) {
		return cli.InvalidOutput(o.Output, urlFormats)
	}
	if o.IngressService != "" && o.GatewaySelector != "" {
		return fmt.Errorf("--ingress-service %q and --gateway-selector %q both choose the gateway: give one", o.IngressService, o.GatewaySelector)
	}
	if o.gatewayRef, err = apis.ParseTarget(o.API, o.Gateway); err != nil {
		return err
	}
	return apis.ValidateIstioFlags(o.API, o.Gateway, o.GatewaySelector, o.IngressService, o.IngressNamespace)
}

// Run resolves and prints.
func (o *URLOptions) Run(ctx context.Context) error {
	if err := kube.Connect(&o.clients, o.flags, nil); err != nil {
		return err
	}
	if o.gatewayRef != nil && o.gatewayRef.Namespace == "" {
		o.gatewayRef.Namespace = o.clients.Namespace
	}
	set := apis.New(ctx, o.clients)
	defer set.Close()
	rep, err := o.report(ctx, set)
	if err != nil {
		return err
	}
	if rep.Found != "" {
		fmt.Fprintln(o.ErrOut, rep.Found)
	}
	if rep.Ingress != nil && rep.Ingress.Reason != "" {
		fmt.Fprintf(o.ErrOut, "gateway Service %s/%s: %s\n", rep.Ingress.Namespace, rep.Ingress.Name, rep.Ingress.Reason)
	}
	cli.Warn(o.ErrOut, rep.Warnings...)
	if o.Explain && rep.Explain != nil {
		fmt.Fprint(o.ErrOut, rep.Explain(rep))
	}
	switch o.Output {
	case "env":
		return printEnv(o.Out, rep)
	case "json":
		return printJSON(o.Out, rep)
	}
	return printURLs(o.Out, rep)
}
