package plugin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apply"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// DeleteOptions holds the flags of `kubectl expose-gw delete SERVICE`.
type DeleteOptions struct {
	Flags      *kube.ConfigFlags
	PrintFlags *cli.PrintFlags
	genericiooptions.IOStreams

	Prefixes, Exacts, Hosts []string
	DryRun                  string
	Force                   bool
	IgnoreNotFound          bool

	Clients   *kube.Clients
	Namespace string
	Service   string

	req    route.Delete
	dryRun route.DryRun
}

// NewCmdDelete returns `kubectl expose-gw delete SERVICE`.
func NewCmdDelete(flags *kube.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &DeleteOptions{Flags: flags, IOStreams: streams,
		PrintFlags: &cli.PrintFlags{}}
	cmd := &cobra.Command{
		Use:   "delete SERVICE [--prefix PATH]... [--host HOST]... [--force] [--ignore-not-found]",
		Short: "Remove the routes of a Service, then the VirtualServices and Gateway servers left unused",
		Example: `  kubectl expose-gw delete flaskapp                 # every route of flaskapp
  kubectl expose-gw delete flaskapp --prefix /env   # only that one
  kubectl expose-gw delete flaskapp --force         # also those expose --force wrote into others' VirtualServices`,
		Args: cli.ServiceArgs(true),
		RunE: cli.RunE(o),
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.Prefixes, "prefix", nil, "Only the route with this prefix (repeatable; default: all routes of the service)")
	f.StringArrayVar(&o.Exacts, "exact", nil, "Only the route with this exact path (repeatable)")
	f.StringArrayVar(&o.Hosts, "host", nil, "Only on this host (repeatable; default: all hosts)")
	f.BoolVar(&o.Force, "force", false, "Also remove the service's routes from VirtualServices kubectl-expose-gw does not manage (where expose --force wrote them); those VirtualServices are never deleted")
	f.BoolVar(&o.IgnoreNotFound, "ignore-not-found", false, "If the requested object does not exist the command will return exit code 0")
	cli.AddDryRunFlag(cmd, &o.DryRun)
	cli.AddOutputFlag(cmd, o.PrintFlags)
	return cmd
}

// Complete reads the argument. The clients are built by Run, after
// Validate.
func (o *DeleteOptions) Complete(_ *cobra.Command, args []string) error {
	o.Service = args[0]
	return nil
}

// Validate checks the flags without touching the cluster.
func (o *DeleteOptions) Validate() error {
	svc, err := route.ParseService(o.Service)
	if err != nil {
		return err
	}
	d := route.Delete{Service: svc, Namespace: o.Namespace, Force: o.Force}
	if d.Matches, err = route.ParseMatches(o.Exacts, o.Prefixes); err != nil {
		return err
	}
	if d.Hosts, err = route.ParseHosts(o.Hosts); err != nil {
		return err
	}
	if o.dryRun, err = route.ParseDryRun(o.DryRun); err != nil {
		return err
	}
	if err := cli.ValidateOutput(o.PrintFlags, cli.ObjectFormats...); err != nil {
		return err
	}
	o.req = d
	return nil
}

// Run plans the removal and applies it all or nothing, retrying lost races.
// With --ignore-not-found, nothing to delete prints nothing and succeeds.
func (o *DeleteOptions) Run(ctx context.Context) error {
	if err := kube.Connect(&o.Clients, o.Flags, &o.Namespace); err != nil {
		return err
	}
	if o.req.Namespace == "" {
		o.req.Namespace = o.Namespace
	}
	a := apply.New(newStores(o.Clients), o.dryRun)
	var (
		st       istio.State
		result   []route.Change
		warnings []string
		nothing  bool
		progress deleteProgress
	)
	err := a.Transact(ctx, func(r apply.Round) (bool, error) {
		var (
			changes []route.Change
			w       []string
			err     error
		)
		if st, changes, w, err = o.plan(ctx, progress); err != nil {
			var none *istio.NoRouteError
			// Not found on a retry after writes: as without the flag, the
			// error undoes them.
			if errors.As(err, &none) && len(none.Unmanaged) == 0 && o.IgnoreNotFound && a.Wrote() == 0 {
				nothing = true
				return false, nil
			}
			return false, err
		}
		for _, x := range append(w, o.warnings(st, changes)...) {
			if !slices.Contains(warnings, x) {
				warnings = append(warnings, x)
			}
		}
		// The Gateways go in the round after the routes, planned from a
		// read made once the routes are gone (other deletes' and exposes'
		// of the same moment included); checked now all the same.
		var later []route.Change
		if o.dryRun == route.DryRunNone && slices.ContainsFunc(changes, route.Change.WritesRoute) {
			later = slices.DeleteFunc(slices.Clone(changes), func(c route.Change) bool { return !c.WritesGateway() })
			changes = slices.DeleteFunc(changes, route.Change.WritesGateway)
		}
		done, prior := a.Wrote(), a.Written()
		out, err := a.ApplyChecking(ctx, changes, later)
		for _, c := range a.WrittenSince(done) {
			progress.record(c)
		}
		if err != nil {
			return false, err
		}
		result = route.MergeResults(route.MergeResults(result, prior), out)
		return slices.ContainsFunc(changes, route.Change.Writes), nil
	})
	cli.Warn(o.ErrOut, a.Warnings()...)

	if err != nil || nothing {
		return err
	}
	for _, w := range warnings {
		cli.Warn(o.ErrOut, w)
	}
	return cli.PrintChanges(o.PrintFlags, o.Out, result, o.dryRun)
}

// deleteProgress is what the earlier rounds of a delete wrote, in both
// APIs: the later rounds plan from it (istio.PlanDeleteAfter,
// gwapi.PlanDeleteAfter).
type deleteProgress struct {
	istio istio.Progress
	gw    gwapi.Progress
}

func (p *deleteProgress) record(c route.Change) {
	p.istio.Record(c)
	p.gw.Record(c)
}

// plan reads both APIs' objects and plans the removal in each, after
// what the earlier rounds wrote (p): the Istio API's changes first. A
// cluster that does not serve one of the APIs has nothing of it to
// delete. It returns the warnings of the Gateway API's plan.
func (o *DeleteOptions) plan(ctx context.Context, p deleteProgress) (istio.State, []route.Change, []string, error) {
	var (
		st            istio.State
		gst           gwapi.State
		istErr, gwErr error
		gwUnknown     bool
		wg            sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		gst, gwUnknown, gwErr = readGatewayState(ctx, o.Clients, o.req.Namespace, nil)
		if gwErr == nil {
			gst.Attached, gst.AttachedUnknown, gwErr = readAttached(ctx, o.Clients, o.req.Namespace)
		}
	}()
	st, istErr = readDeleteState(ctx, o.Clients, o.Namespace)
	wg.Wait()
	switch {
	case kube.NotServed(istErr) && kube.NotServed(gwErr):
		return st, nil, nil, istErr
	case kube.NotServed(istErr):
		st, istErr = istio.State{}, nil
	case kube.NotServed(gwErr):
		gst, gwErr = gwapi.State{}, nil
	}
	// Not allowed to read the Gateway API: nothing of it the user could
	// delete either; an error only when the Istio API has nothing.
	var forbidden error
	if apierrors.IsForbidden(gwErr) {
		forbidden, gst, gwErr = gwErr, gwapi.State{}, nil
	}
	if err := cmp.Or(istErr, gwErr); err != nil {
		return st, nil, nil, err
	}
	changes, err := istio.PlanDeleteAfter(&o.req, st, p.istio)
	var none *istio.NoRouteError
	if err != nil && !errors.As(err, &none) {
		return st, nil, nil, err
	}
	gw, warnings := gwapi.PlanDeleteAfter(&o.req, gst, gwUnknown, p.gw)
	if gwUnknown && slices.ContainsFunc(gw, func(c route.Change) bool { _, ok := c.Object.(*gwv1.HTTPRoute); return ok }) {
		warnings = append(warnings, "cannot list HTTPRoutes in all namespaces (forbidden), so routes of other namespaces may still use the Gateway: it is kept as it is")
	}
	if len(gw) == 0 && err != nil {
		if len(p.gw.Touched) > 0 {
			return st, nil, warnings, nil // this delete's routes are gone: nothing more to do
		}
		return st, nil, nil, cmp.Or(forbidden, err)
	}
	return st, append(changes, gw...), warnings, nil
}

// warnings say what the plan applied leaves that the user may not
// expect: the Gateway kept when other namespaces cannot be read, the
// service's routes in VirtualServices the tool does not manage (without
// --force), and those VirtualServices left as they are because they would
// have no route left (with --force).
func (o *DeleteOptions) warnings(st istio.State, changes []route.Change) []string {
	var out []string
	if st.ManagedUnknown && prunes(&o.req, st) {
		out = append(out, "cannot list VirtualServices in all namespaces (forbidden), so routes of other namespaces may still use the Gateway: it is kept as it is")
	}
	if !o.req.Force {
		if rs := istio.UnmanagedRoutes(&o.req, st); len(rs) > 0 {
			out = append(out, fmt.Sprintf("service %s/%s also has routes in VirtualServices kubectl-expose-gw does not manage (written there by expose --force): %s; add --force to remove them too",
				o.req.Namespace, o.req.Service, strings.Join(rs, ", ")))
		}
	}
	for _, c := range changes {
		if istio.KeptWhole(c) {
			vs := istio.VirtualServiceOf(c)
			out = append(out, fmt.Sprintf("virtualservice %s/%s (not managed by kubectl-expose-gw) would be left without routes, which Istio rejects: it is left as it is, with the routes of %s; delete it yourself (kubectl delete virtualservice %s -n %s) if it is no longer needed",
				vs.Namespace, vs.Name, o.req.Service, vs.Name, vs.Namespace))
		}
	}
	return out
}

// prunes is whether the plan would change a Gateway if only the namespace
// counted: what is kept when the other namespaces cannot be read.
func prunes(d *route.Delete, st istio.State) bool {
	st.ManagedUnknown = false
	changes, err := istio.PlanDelete(d, st)
	return err == nil && slices.ContainsFunc(changes, func(c route.Change) bool { return istio.GatewayOf(c) != nil })
}
