package delete

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/apply"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
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

// NewCmd returns `kubectl expose-gw delete SERVICE`.
func NewCmd(flags *kube.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &DeleteOptions{Flags: flags, IOStreams: streams,
		PrintFlags: &cli.PrintFlags{WithKind: apis.WithKind}}
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
	set := apis.New(ctx, o.Clients)
	deleters := map[apis.API]route.Deleter{}
	for _, api := range set.All() {
		deleters[api] = api.Deleter(&o.req)
	}
	a := apply.New(set.Stores(), o.dryRun)
	var (
		result   []route.Change
		warnings []string
		nothing  bool
	)
	err := a.Transact(ctx, func(r apply.Round) (bool, error) {
		changes, w, err := plan(ctx, set.All(), deleters)
		if err != nil {
			var none *route.NoRouteError
			// Not found on a retry after writes: as without the flag, the
			// error undoes them.
			if errors.As(err, &none) && len(none.Unmanaged) == 0 && o.IgnoreNotFound && a.Wrote() == 0 {
				nothing = true
				return false, nil
			}
			return false, err
		}
		for _, x := range w {
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
			for _, d := range deleters {
				d.Record(c)
			}
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
	cli.Warn(o.ErrOut, warnings...)
	return cli.PrintChanges(o.PrintFlags, o.Out, result, o.dryRun)
}

// plan asks each API to plan its part of the removal (apis.Read: one not
// served has nothing to delete; one the user may not read is left out,
// said in a warning), the Istio API's changes first. Nothing of the
// request to delete in any API is the first API's *route.NoRouteError.
func plan(ctx context.Context, all []apis.API, deleters map[apis.API]route.Deleter) ([]route.Change, []string, error) {
	type answer struct {
		none     error
		warnings []string
	}
	var mu sync.Mutex
	answers := map[apis.API]answer{}
	res, err := apis.Read(ctx, all, "deleted", func(ctx context.Context, api apis.API) ([]route.Change, bool, error) {
		changes, w, err := deleters[api].Plan(ctx)
		var nr *route.NoRouteError
		switch {
		case errors.As(err, &nr):
			mu.Lock()
			answers[api] = answer{none: err, warnings: w} // said when another API deletes
			mu.Unlock()
			return nil, false, nil
		case err == nil:
			mu.Lock()
			answers[api] = answer{warnings: w}
			mu.Unlock()
		}
		// Something: changes, or none left after the earlier rounds'.
		return changes, err == nil, err
	})
	if err != nil {
		return nil, nil, err
	}
	var changes []route.Change
	for _, f := range res.Found {
		changes = append(changes, f.Items...)
	}
	// Every API that answered has nothing of the request (none of them
	// deleted some in an earlier round): the first one's error says so.
	if len(changes) == 0 && !slices.ContainsFunc(res.Found, func(f apis.Found[route.Change]) bool { return answers[f.API].none == nil }) {
		return nil, nil, answers[res.Found[0].API].none
	}
	var warnings []string
	for _, api := range all {
		warnings = append(warnings, answers[api].warnings...)
	}
	return changes, append(warnings, res.Warnings...), nil
}
