package expose

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

const exposeExample = `  # The seed article's Gateway and VirtualService: /env on any host to flaskapp
  kubectl expose-gw flaskapp --prefix /env

  # A host of its own, the app served at / while exposed at /env
  kubectl expose-gw svc/flaskapp --host flask.example.com --prefix /env --rewrite /

  # See the objects without writing them
  kubectl expose-gw flaskapp --prefix /env --dry-run=client -o yaml

  # What is exposed, and remove a route
  kubectl expose-gw list -A
  kubectl expose-gw delete flaskapp --prefix /env`

// AddToRoot makes root itself run expose when given a SERVICE:
// `kubectl expose-gw flaskapp --prefix /env`.
func AddToRoot(root *cobra.Command, flags *kube.ConfigFlags, streams genericiooptions.IOStreams) {
	o := NewExposeOptions(flags, streams)
	root.Use = "expose-gw SERVICE [--prefix PATH]... [--host HOST]... [flags]"
	root.Example = exposeExample
	root.Args = func(cmd *cobra.Command, args []string) error {
		// More than SERVICE: a mistyped subcommand, `kubectl expose-gw delte flaskapp`.
		if len(args) > 1 {
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				return fmt.Errorf("unknown command %q: did you mean %s?", args[0], kube.OrList(s))
			}
		}
		return cli.ServiceArgs(false)(cmd, args)
	}
	run := cli.RunE(o)
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return run(cmd, args)
	}
	o.AddFlags(root)
}

// AddFlags adds the expose flags to cmd.
func (o *ExposeOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&o.Prefixes, "prefix", nil, "Route requests whose path starts with PATH (repeatable; default /)")
	f.StringArrayVar(&o.Exacts, "exact", nil, "Route requests whose path is exactly PATH (repeatable)")
	f.StringArrayVar(&o.Hosts, "host", nil, `Host the route answers for: a DNS name, "*" or "*.domain" (repeatable; default "*")`)
	f.StringVar(&o.Port, "port", "", "Service port to send to, by number or name (default: the Service's only port)")
	f.StringVar(&o.Rewrite, "rewrite", "", "Rewrite the matched path to PATH before sending (rewrite.uri)")
	f.StringVar(&o.Gateway, "gateway", "", "Use or create this Gateway, [NAMESPACE/]NAME (default: one that serves the host, else expose-gw; with the Gateway API, an existing Gateway of class istio whose listeners take the route, else expose-gw)")
	f.StringVar(&o.Selector, "gateway-selector", o.Selector, "Labels of the ingress gateway pods, KEY=VALUE[,KEY=VALUE...]; when not given and no pod has the default, those of the one ingress gateway running")
	f.BoolVar(&o.Mesh, "mesh", false, "Also route in-mesh callers (binds the reserved mesh gateway; needs a --host other than *)")
	f.StringVar(&o.TLSSecret, "tls-secret", "", "Add an HTTPS server using this credentialName: a TLS Secret in the namespace of the gateway's pods (e.g. istio-system), where Istio reads it (Gateway API: an HTTPS listener with this certificateRef, a Secret in the Gateway's namespace)")
	f.StringVar(&o.TLS, "tls", "", "Add an HTTPS server with a certificate for exactly the hosts: self-signed, from the tool's own CA (Secret expose-gw-ca, made once, where Istio reads credentials; renewed by a re-run within 30 days of expiry); cert-manager, issued by cert-manager from --issuer (a Certificate with the Istio API, the Gateway's cert-manager.io annotation with the Gateway API)")
	f.StringVar(&o.Issuer, "issuer", "", "With --tls cert-manager, the issuer that signs the certificate: [ClusterIssuer/|Issuer/]NAME (a bare NAME is an Issuer, in the namespace of the certificate: the gateway pods' with the Istio API, the Gateway's with the Gateway API)")
	f.StringVar(&o.CAOut, "ca-out", "", "With --tls self-signed, write the CA's certificate (PEM) to this file, for curl --cacert")
	f.BoolVar(&o.HTTPSRedirect, "https-redirect", false, "Make the HTTP server redirect to HTTPS")
	f.BoolVar(&o.Force, "force", false, "Write into objects kubectl-expose-gw does not manage, and replace routes of other services on the same path")
	apis.AddFlag(cmd, &o.API)
	f.DurationVar(&o.Wait, "wait", o.Wait, "How long to wait for the route to work: Gateway API, for Istio's verdict on the HTTPRoutes (status.parents Accepted, ResolvedRefs; default 5s); Istio API, only when given, until the gateway sends a request for each new URL to the Service's application (as url --check); 0 does not wait")
	cli.AddDryRunFlag(cmd, &o.DryRun)
	cli.AddOutputFlag(cmd, o.PrintFlags)
}
