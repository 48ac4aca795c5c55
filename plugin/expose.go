package plugin

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	istioscheme "istio.io/client-go/pkg/clientset/versioned/scheme"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
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

// ExposeOptions holds the flags and resolved state of `kubectl expose-gw
// SERVICE`.
type ExposeOptions struct {
	Flags      *genericclioptions.ConfigFlags
	PrintFlags *genericclioptions.PrintFlags
	genericiooptions.IOStreams

	Prefixes, Exacts, Hosts []string
	Port, Rewrite           string
	Gateway, Selector       string
	TLSSecret               string
	Mesh, HTTPSRedirect     bool
	Force                   bool
	DryRun                  string

	// Set by Complete (tests may set Clients before).
	Clients   *Clients
	Namespace string
	Service   string
	// suggestions are the subcommands SERVICE may be a typo of, when it
	// was given to the root command (`kubectl expose-gw lsit`).
	suggestions []string
	// SelectorGiven is true when --gateway-selector was given: without it
	// the gateway is istio=ingressgateway, else the one ingress gateway
	// running (resolve.FindGateway).
	SelectorGiven bool

	// Set by Validate.
	req    model.Expose
	port   model.PortRef
	dryRun dryRunMode
}

// NewExposeOptions returns options with the documented defaults.
func NewExposeOptions(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *ExposeOptions {
	return &ExposeOptions{
		Flags:      flags,
		PrintFlags: genericclioptions.NewPrintFlags("").WithTypeSetter(istioscheme.Scheme),
		IOStreams:  streams,
		Selector:   model.FormatSelector(resolve.DefaultSelector),
		DryRun:     "none",
	}
}

// AddExposeToRoot makes root itself run expose when given a SERVICE:
// `kubectl expose-gw flaskapp --prefix /env`.
func AddExposeToRoot(root *cobra.Command, flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) {
	o := NewExposeOptions(flags, streams)
	root.Use = "expose-gw SERVICE [--prefix PATH]... [--host HOST]... [flags]"
	root.Example = exposeExample
	root.Args = func(cmd *cobra.Command, args []string) error {
		// More than SERVICE: a mistyped subcommand, `kubectl expose-gw delte flaskapp`.
		if len(args) > 1 {
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				return fmt.Errorf("unknown command %q: did you mean %s?", args[0], orList(s))
			}
		}
		return cobra.MaximumNArgs(1)(cmd, args)
	}
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		if err := o.Complete(cmd, args); err != nil {
			return err
		}
		if err := o.Validate(); err != nil {
			return err
		}
		return o.Run(cmd.Context())
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
	f.StringVar(&o.Gateway, "gateway", "", "Use or create this Gateway, [NAMESPACE/]NAME (default: one that serves the host, else expose-gw)")
	f.StringVar(&o.Selector, "gateway-selector", o.Selector, "Labels of the ingress gateway pods, KEY=VALUE[,KEY=VALUE...]; when not given and no pod has the default, those of the one ingress gateway running")
	f.BoolVar(&o.Mesh, "mesh", false, "Also route in-mesh callers (binds the reserved mesh gateway; needs a --host other than *)")
	f.StringVar(&o.TLSSecret, "tls-secret", "", "Add an HTTPS server using this credentialName: a TLS Secret in the namespace of the gateway's pods (e.g. istio-system), where Istio reads it")
	f.BoolVar(&o.HTTPSRedirect, "https-redirect", false, "Make the HTTP server redirect to HTTPS")
	f.BoolVar(&o.Force, "force", false, "Write into objects kubectl-expose-gw does not manage, and replace routes of other services on the same path")
	addDryRunFlag(cmd, &o.DryRun)
	addOutputFlag(cmd, o.PrintFlags)
}

// Complete reads the argument. The clients are built by Run, after
// Validate.
func (o *ExposeOptions) Complete(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("expected one SERVICE argument, got %d", len(args))
	}
	o.Service = args[0]
	o.SelectorGiven = cmd != nil && cmd.Flags().Changed("gateway-selector")
	if cmd != nil && !cmd.HasParent() && !strings.Contains(o.Service, "/") {
		o.suggestions = cmd.SuggestionsFor(o.Service)
	}
	return nil
}

// connect builds the clients (unless set) and fills the namespace the
// request left empty when it was not known at Validate.
func (o *ExposeOptions) connect() error {
	if err := connect(&o.Clients, o.Flags, &o.Namespace); err != nil {
		return err
	}
	if o.req.Target.Namespace == "" {
		o.req.Target.Namespace = o.Namespace
	}
	if o.req.Gateway != nil && o.req.Gateway.Namespace == "" {
		o.req.Gateway.Namespace = o.Namespace
	}
	return nil
}

// Validate checks every flag without touching the cluster (nor reading the
// kubeconfig: the namespace may be filled in later by connect).
func (o *ExposeOptions) Validate() error {
	svc, err := model.ParseService(o.Service)
	if err != nil {
		return err
	}
	r := model.Expose{Target: model.RouteTarget{Service: svc, Namespace: o.Namespace}, Force: o.Force,
		Mesh: o.Mesh, HTTPSRedirect: o.HTTPSRedirect}
	prefixes := o.Prefixes
	if len(prefixes) == 0 && len(o.Exacts) == 0 {
		prefixes = []string{"/"}
	}
	for _, set := range []struct {
		flag  string
		kind  model.MatchKind
		paths []string
	}{{"exact", model.Exact, o.Exacts}, {"prefix", model.Prefix, prefixes}} {
		for _, p := range set.paths {
			if _, err := model.ParsePath(set.flag, p); err != nil {
				return err
			}
			if m := (model.Match{Kind: set.kind, Path: p}); !slices.Contains(r.Matches, m) {
				r.Matches = append(r.Matches, m)
			}
		}
	}
	hosts := o.Hosts
	if len(hosts) == 0 {
		hosts = []string{"*"}
	}
	for _, h := range hosts {
		if _, err := model.ParseHost(h); err != nil {
			return err
		}
		if !slices.Contains(r.Hosts, h) {
			r.Hosts = append(r.Hosts, h)
		}
	}
	if o.Mesh && slices.Contains(r.Hosts, "*") {
		return fmt.Errorf(`invalid --mesh with --host "*": in-mesh routes need a host name (e.g. --host flaskapp.example.com)`)
	}
	if o.port, err = model.ParsePort(o.Port); err != nil {
		return err
	}
	if o.Rewrite != "" {
		if r.Target.Rewrite, err = model.ParsePath("rewrite", o.Rewrite); err != nil {
			return err
		}
	}
	if r.Selector, err = model.ParseSelector(o.Selector); err != nil {
		return err
	}
	if o.Gateway != "" {
		ref, err := model.ParseGatewayRef(o.Gateway, o.Namespace)
		if err != nil {
			return err
		}
		r.Gateway = &ref
	}
	if o.TLSSecret != "" {
		if len(validation.IsDNS1123Subdomain(o.TLSSecret)) > 0 {
			return fmt.Errorf("invalid --tls-secret %q: expected the name of a Secret", o.TLSSecret)
		}
		r.TLSSecret = o.TLSSecret
	}
	if o.HTTPSRedirect && o.TLSSecret == "" {
		return fmt.Errorf("invalid --https-redirect without --tls-secret: the redirect needs an HTTPS server to go to")
	}
	if o.dryRun, err = parseDryRun(o.DryRun); err != nil {
		return err
	}
	if err := validateOutput(o.PrintFlags, objectFormats...); err != nil {
		return err
	}
	o.req = r
	return nil
}
