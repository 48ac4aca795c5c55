package plugin

import (
	"context"
	"slices"

	"github.com/spf13/cobra"
	istioscheme "istio.io/client-go/pkg/clientset/versioned/scheme"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
)

// DeleteOptions holds the flags of `kubectl expose-gw delete SERVICE`.
type DeleteOptions struct {
	Flags      *genericclioptions.ConfigFlags
	PrintFlags *genericclioptions.PrintFlags
	genericiooptions.IOStreams

	Prefixes, Exacts, Hosts []string
	DryRun                  string

	Clients   *Clients
	Namespace string
	Service   string

	req    model.Delete
	dryRun dryRunMode
}

// NewCmdDelete returns `kubectl expose-gw delete SERVICE`.
func NewCmdDelete(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &DeleteOptions{Flags: flags, IOStreams: streams,
		PrintFlags: genericclioptions.NewPrintFlags("").WithTypeSetter(istioscheme.Scheme)}
	cmd := &cobra.Command{
		Use:   "delete SERVICE [--prefix PATH]... [--host HOST]...",
		Short: "Remove the routes of a Service, then the VirtualServices and Gateway servers left unused",
		Example: `  kubectl expose-gw delete flaskapp                 # every route of flaskapp
  kubectl expose-gw delete flaskapp --prefix /env   # only that one`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.Prefixes, "prefix", nil, "Only the route with this prefix (repeatable; default: all routes of the service)")
	f.StringArrayVar(&o.Exacts, "exact", nil, "Only the route with this exact path (repeatable)")
	f.StringArrayVar(&o.Hosts, "host", nil, "Only on this host (repeatable; default: all hosts)")
	addDryRunFlag(cmd, &o.DryRun)
	o.PrintFlags.AddFlags(cmd)
	return cmd
}

// Complete reads the argument. The clients are built by Run, after
// Validate.
func (o *DeleteOptions) Complete(args []string) error {
	o.Service = args[0]
	return nil
}

// Validate checks the flags without touching the cluster.
func (o *DeleteOptions) Validate() error {
	svc, err := model.ParseService(o.Service)
	if err != nil {
		return err
	}
	d := model.Delete{Service: svc, Namespace: o.Namespace}
	for _, p := range o.Exacts {
		if _, err := model.ParsePath("exact", p); err != nil {
			return err
		}
		d.Matches = append(d.Matches, model.Match{Kind: model.Exact, Path: p})
	}
	for _, p := range o.Prefixes {
		if _, err := model.ParsePath("prefix", p); err != nil {
			return err
		}
		d.Matches = append(d.Matches, model.Match{Kind: model.Prefix, Path: p})
	}
	for _, h := range o.Hosts {
		if _, err := model.ParseHost(h); err != nil {
			return err
		}
		if !slices.Contains(d.Hosts, h) {
			d.Hosts = append(d.Hosts, h)
		}
	}
	if o.dryRun, err = parseDryRun(o.DryRun); err != nil {
		return err
	}
	if err := validateOutput(o.PrintFlags, "yaml", "json", "name"); err != nil {
		return err
	}
	o.req = d
	return nil
}

// Run plans the removal and applies it all or nothing, retrying lost races.
func (o *DeleteOptions) Run(ctx context.Context) error {
	if err := connect(&o.Clients, o.Flags, &o.Namespace); err != nil {
		return err
	}
	if o.req.Namespace == "" {
		o.req.Namespace = o.Namespace
	}
	a := &applier{istio: o.Clients.Istio, mode: o.dryRun}
	var result []model.Change
	err := a.transact(ctx, func(bool) error {
		st, err := readState(ctx, o.Clients, o.Namespace, nil)
		if err != nil {
			return err
		}
		changes, err := model.PlanDelete(&o.req, st)
		if err != nil {
			return err
		}
		result, err = a.apply(ctx, changes)
		return err
	})
	if err != nil {
		return err
	}
	return printChanges(o.PrintFlags, o.Out, result, o.dryRun)
}
