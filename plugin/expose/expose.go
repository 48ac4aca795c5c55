package expose

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/apply"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// ExposeOptions holds the flags and resolved state of `kubectl expose-gw
// SERVICE`.
type ExposeOptions struct {
	Flags      *kube.ConfigFlags
	PrintFlags *cli.PrintFlags
	genericiooptions.IOStreams

	Prefixes, Exacts, Hosts []string
	Port, Rewrite           string
	Gateway, Selector       string
	TLSSecret               string
	// TLS is --tls (self-signed, cert-manager); CAOut is --ca-out;
	// Issuer is --issuer.
	TLS, CAOut, Issuer  string
	Mesh, HTTPSRedirect bool
	Force               bool
	DryRun              string
	API                 string
	Wait                time.Duration

	// Set by Complete (tests may set Clients before).
	Clients   *kube.Clients
	Namespace string
	Service   string
	// suggestions are the subcommands SERVICE may be a typo of, when it
	// was given to the root command (`kubectl expose-gw lsit`).
	suggestions []string
	// waitGiven is true when --wait was given: the Istio API waits only
	// then (kubectl's habit), the Gateway API always (default 5s).
	waitGiven bool
	// SelectorGiven is true when --gateway-selector was given: without it
	// the gateway is istio=ingressgateway, else the one ingress gateway
	// running (resolve.FindGateway).
	SelectorGiven bool

	// notes are what the choices made before the writes say (the API
	// auto chose, the gateway found, the Gateway used): printed once the
	// writes succeed, never before the error of a failing command.
	notes route.Notes

	// Set by Validate.
	req    route.Expose
	port   route.PortRef
	dryRun route.DryRun
}

// NewExposeOptions returns options with the documented defaults.
func NewExposeOptions(flags *kube.ConfigFlags, streams genericiooptions.IOStreams) *ExposeOptions {
	return &ExposeOptions{
		Flags:      flags,
		PrintFlags: &cli.PrintFlags{WithKind: apis.WithKind},
		IOStreams:  streams,
		Selector:   route.FormatSelector(resolve.DefaultSelector),
		DryRun:     "none",
		API:        apis.Auto,
		Wait:       defaultWait,
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
	o.waitGiven = cmd != nil && cmd.Flags().Changed("wait")
	if cmd != nil && !cmd.HasParent() && !strings.Contains(o.Service, "/") {
		o.suggestions = cmd.SuggestionsFor(o.Service)
	}
	return nil
}

// connect builds the clients (unless set) and fills the namespace the
// request left empty when it was not known at Validate.
func (o *ExposeOptions) connect() error {
	if err := kube.Connect(&o.Clients, o.Flags, &o.Namespace); err != nil {
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
	svc, err := route.ParseService(o.Service)
	if err != nil {
		return err
	}
	r := route.Expose{Target: route.RouteTarget{Service: svc, Namespace: o.Namespace}, Force: o.Force,
		Mesh: o.Mesh, HTTPSRedirect: o.HTTPSRedirect}
	prefixes := o.Prefixes
	if len(prefixes) == 0 && len(o.Exacts) == 0 {
		prefixes = []string{"/"}
	}
	if r.Matches, err = route.ParseMatches(o.Exacts, prefixes); err != nil {
		return err
	}
	hosts := o.Hosts
	if len(hosts) == 0 {
		hosts = []string{"*"}
	}
	if r.Hosts, err = route.ParseHosts(hosts); err != nil {
		return err
	}
	if o.Mesh && slices.Contains(r.Hosts, "*") {
		return fmt.Errorf(`invalid --mesh with --host "*": in-mesh routes need a host name (e.g. --host flaskapp.example.com)`)
	}
	if o.port, err = route.ParsePort(o.Port); err != nil {
		return err
	}
	if o.Rewrite != "" {
		if r.Target.Rewrite, err = route.ParsePath("rewrite", o.Rewrite); err != nil {
			return err
		}
	}
	if r.Selector, err = route.ParseSelector(o.Selector); err != nil {
		return err
	}
	if o.Gateway != "" {
		ref, err := route.ParseGatewayRef(o.Gateway, o.Namespace)
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
	if err := o.validateTLS(&r); err != nil {
		return err
	}
	if o.HTTPSRedirect && r.TLSSecret == "" {
		return fmt.Errorf("invalid --https-redirect without --tls-secret: the redirect needs an HTTPS server to go to")
	}
	if o.dryRun, err = route.ParseDryRun(o.DryRun); err != nil {
		return err
	}
	if err := apis.Validate(o.API); err != nil {
		return err
	}
	if o.Wait < 0 {
		return fmt.Errorf("invalid --wait %s: expected a duration of 0 or more (0: do not wait)", o.Wait)
	}
	if o.SelectorGiven {
		if err := apis.ValidateIstioFlags(o.API, "", o.Selector, "", ""); err != nil {
			return err
		}
	}
	if o.API == route.APIGateway && o.Mesh {
		return fmt.Errorf("invalid --mesh with --api gateway-api: in-mesh routes are an Istio API feature (Gateway API mesh routing attaches HTTPRoutes to Services, which the tool does not write)")
	}
	if err := cli.ValidateOutput(o.PrintFlags, cli.ObjectFormats...); err != nil {
		return err
	}
	o.req = r
	return nil
}

// defaultWait is how long expose waits for the controller's verdict on a
// Gateway API route.
const defaultWait = 5 * time.Second

// Run chooses the API (--api), then reads, plans and applies all or
// nothing with retries on lost races, and prints the result and how to
// reach it.
func (o *ExposeOptions) Run(ctx context.Context) error {
	if err := o.connect(); err != nil {
		return err
	}
	set := apis.New(ctx, o.Clients)
	defer set.Close()
	api, err := set.Choose(ctx, apis.Choice{Flag: o.API, Gateway: o.req.Gateway, IstioFlags: o.SelectorGiven, Say: o.notes.Say})
	var noAPI *apis.NoAPIError
	if errors.As(err, &noAPI) && o.dryRun == route.DryRunClient {
		api, err = set.Default(), nil // prints the Istio API's objects, with its warning
	}
	if err != nil {
		return err
	}
	out := o.Out
	if o.PrintFlags.OutputFormat != "" {
		out = o.ErrOut
	}
	in := &route.ExposeInput{Req: o.req, Port: o.port, DryRun: o.dryRun, SelectorGiven: o.SelectorGiven,
		Suggestions: o.suggestions, Wait: o.Wait, Notes: &o.notes, Out: out, ErrOut: o.ErrOut, CA: &route.CA{}}
	x := api.Exposer(in)
	defer x.Close()
	if err := x.Prepare(ctx); err != nil {
		return err
	}
	a := apply.New(set.Stores(), o.dryRun)
	var (
		result   []route.Change
		warnings []string
	)
	err = a.Transact(ctx, func(r apply.Round) (bool, error) {
		// The first attempt plans from the watch cache (its writes carry
		// preconditions; a stale view fails them and the retry reads
		// consistently), the others from etcd.
		pctx := ctx
		if r.First {
			pctx = kube.Cached(ctx)
		}
		changes, w, err := x.Plan(pctx, r.First)
		if err != nil {
			return false, err
		}
		if r.Mend {
			// The routes are written: a later round puts back only the
			// Gateway they need. A route of the plan that is gone or
			// changed again was another command's doing (a delete of the
			// same moment): it wins, and the Gateway is left to it.
			if slices.ContainsFunc(changes, route.Change.WritesRoute) {
				return false, nil
			}
			changes = route.GatewayChangesOnly(changes)
		} else {
			warnings = w
		}
		prior := a.Written()
		out, err := a.Apply(ctx, changes)
		if err != nil {
			return false, err
		}
		result = route.MergeResults(route.MergeResults(result, prior), out)
		return slices.ContainsFunc(changes, route.Change.Writes), nil
	})
	cli.Warn(o.ErrOut, a.Warnings()...)
	if err != nil {
		return err // alone: what would have been written is not said
	}
	cli.Say(o.ErrOut, o.notes.List()...)
	cli.Warn(o.ErrOut, warnings...)
	cli.Warn(o.ErrOut, x.Caveats()...)
	if err := cli.PrintChanges(o.PrintFlags, o.Out, result, o.dryRun); err != nil {
		return err
	}
	if o.dryRun != route.DryRunNone {
		return nil
	}
	if err := o.sayCA(in.CA); err != nil {
		return err
	}
	if err := o.waitForCertificate(ctx, in.Certificate); err != nil {
		return err
	}
	if o.waitGiven && o.Wait > 0 && api.Name() == route.APIIstio {
		if err := o.waitForRoutes(ctx, api); err != nil {
			return err
		}
	}
	return x.Done(ctx, result)
}
