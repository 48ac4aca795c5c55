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
	"github.com/expose-gw/kubectl-expose-gw/plugin/dial"
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
	// Check sends a request per route URL and says who answered; Via is
	// how the gateway is reached for it, as proxy's --via.
	Check bool
	Via   string
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

  # Does each route of flaskapp answer, and who answered (its application, or the gateway and why)?
  kubectl expose-gw url flaskapp --check

  # Every route of the namespace, through a port-forward, as JSON
  kubectl expose-gw url --check --via port-forward -o json

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
backendRef to it, on the listeners they attach to.

With --check, each route URL (of SERVICE, else of every Service of the namespace) gets one
request through the gateway, reached as proxy reaches it (--via auto: directly when an
outside address answers, else a port-forward), with the route's Host (and SNI for https).
Each line says the status, the time, and who answered: the route's application (Envoy
forwarded it: x-envoy-upstream-service-time), another Service's (a rule of another route
takes the URL), or the gateway itself (404 no route NR, 503 no cluster NC or no healthy
upstream UH, connection refused, TLS handshake failure), with explain's verdict on why.
Exit code 0 only if every URL was answered by its own Service.`,
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
	f.BoolVar(&o.Check, "check", false, "Send one request per route URL through the gateway and say who answered (exit 1 unless each route's own Service did)")
	f.StringVar(&o.Via, "via", dial.ViaAuto, "With --check, how to reach the gateway: auto (direct, else port-forward), direct or port-forward")
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
	if err := o.validateCheck(); err != nil {
		return err
	}
	if o.IngressService != "" && o.GatewaySelector != "" {
		return fmt.Errorf("--ingress-service %q and --gateway-selector %q both choose the gateway: give one", o.IngressService, o.GatewaySelector)
	}
	if o.gatewayRef, err = apis.ParseTarget(o.API, o.Gateway); err != nil {
		return err
	}
	return apis.ValidateIstioFlags(o.API, o.Gateway, o.GatewaySelector, o.IngressService, o.IngressNamespace)
}

// validateCheck checks --check's company: -o url or json, and --via only
// with it.
func (o *URLOptions) validateCheck() error {
	if o.Via == "" {
		o.Via = dial.ViaAuto
	}
	if err := dial.ValidateVia(o.Via); err != nil {
		return err
	}
	switch {
	case !o.Check && o.Via != dial.ViaAuto:
		return fmt.Errorf("--via %s without --check: --via says how --check reaches the gateway", o.Via)
	case o.Check && o.Output == "env":
		return fmt.Errorf("--check with -o env: the check prints one line per URL, or -o json: expected -o url or json")
	case o.Check && (o.IngressService != "" || o.IngressNamespace != ""):
		return fmt.Errorf("--check with --ingress-service or --ingress-namespace: the check reaches each route's gateway by its Gateway's selector (or --gateway-selector): give those without --check")
	case o.Check && o.Explain:
		return fmt.Errorf("--check with --explain: the check prints explain's verdict for each URL that fails; give one")
	}
	return nil
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
	if o.Check {
		return o.runCheck(ctx, set)
	}
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
