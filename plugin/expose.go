package plugin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	istioscheme "istio.io/client-go/pkg/clientset/versioned/scheme"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

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
	if r.Matches, err = model.ParseMatches(o.Exacts, prefixes); err != nil {
		return err
	}
	hosts := o.Hosts
	if len(hosts) == 0 {
		hosts = []string{"*"}
	}
	if r.Hosts, err = model.ParseHosts(hosts); err != nil {
		return err
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

// Run reads what it needs (the Service, the Gateways and VirtualServices of
// the namespace and, unless a dry run, the ingress gateway: all in
// parallel; a dry run looks the gateway up only when a Gateway server must
// be written, or when no --gateway-selector says which gateway to use),
// plans, applies all or nothing with retries on lost races, and prints the
// result and how to reach it.
func (o *ExposeOptions) Run(ctx context.Context) error {
	if err := o.connect(); err != nil {
		return err
	}
	a := &applier{stores: newStores(o.Clients.Istio), mode: o.dryRun, errOut: o.ErrOut}
	var (
		svc    *corev1.Service
		result []model.Change
		warned bool
		// clashWarned: Gateways of other namespaces were checked once.
		clashWarned bool
		// othersUnknown: other namespaces could not be read (said once it worked).
		othersUnknown bool
	)
	var sel map[string]string // nil: find the gateway (resolve.FindGateway)
	if o.SelectorGiven {
		sel = o.req.Selector
	}
	ingress := newIngressLookup(ctx, o.Clients, sel)
	if o.dryRun == dryRunNone || sel == nil {
		ingress.start() // needed for the hint or the selector anyway: overlap it with the reads
		// An error returns before the lookup is needed: let it end rather
		// than cut its requests short (client-go logs those).
		defer ingress.result()
	}
	if err := o.checkCredential(ctx, ingress); err != nil {
		return err
	}
	err := a.transact(ctx, func(first bool) error {
		var st model.State
		var err error
		if first {
			svc, st, err = o.readAll(ctx)
		} else {
			st, err = o.readState(ctx)
		}
		if err != nil {
			return err
		}
		if first && sel == nil {
			if warned, err = o.useGateway(ingress); err != nil {
				return err
			}
		}
		req := o.req
		if req.Target.Port, err = model.ResolvePort(svc, o.port); err != nil {
			return err
		}
		changes, err := model.PlanExpose(&req, st)
		if errors.Is(err, model.ErrNeedPorts) {
			in, ierr := ingress.get()
			if ierr != nil && !warned {
				fmt.Fprintf(o.ErrOut, "warning: %v; the Gateway listens on the default ports 80/443\n", ierr)
				warned = true
			}
			req.HTTPPort, req.HTTPSPort = ingressPorts(in)
			changes, err = model.PlanExpose(&req, st)
		}
		if err != nil {
			return err
		}
		// What Istio will do with the objects: no route may lose its
		// requests to another (--force writes it anyway and says so).
		shadowed, err := model.CheckReach(st, changes, o.req.Force)
		if err != nil {
			return err
		}
		for _, w := range shadowed {
			fmt.Fprintln(o.ErrOut, "warning:", w)
		}
		othersUnknown = st.OthersUnknown
		if !clashWarned {
			for _, w := range model.GatewayClashes(changes, st) {
				fmt.Fprintln(o.ErrOut, "warning:", w)
			}
			clashWarned = true
		}
		result, err = a.apply(ctx, changes)
		return err
	})
	if err != nil {
		return err
	}
	if othersUnknown {
		fmt.Fprintln(o.ErrOut, "warning: cannot list Gateways or VirtualServices in all namespaces (forbidden): routes of other namespaces that Istio merges into the same virtual hosts were not checked")
	}
	if err := printChanges(o.PrintFlags, o.Out, result, o.dryRun); err != nil {
		return err
	}
	if o.dryRun == dryRunNone {
		o.printReach(ctx, ingress, result)
	}
	return nil
}
