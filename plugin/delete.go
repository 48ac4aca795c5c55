package plugin

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/spf13/cobra"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	istioscheme "istio.io/client-go/pkg/clientset/versioned/scheme"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	addOutputFlag(cmd, o.PrintFlags)
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
	if err := validateOutput(o.PrintFlags, objectFormats...); err != nil {
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
	a := &applier{istio: o.Clients.Istio, mode: o.dryRun, errOut: o.ErrOut}
	var result []model.Change
	warned := false
	err := a.transact(ctx, func(bool) error {
		var (
			st      model.State
			err     error
			managed []*networkingv1.VirtualService
			mErr    error
			wg      sync.WaitGroup
		)
		wg.Add(1)
		go func() {
			defer wg.Done()
			managed, mErr = listManagedVirtualServices(ctx, o.Clients)
		}()
		st, err = readState(ctx, o.Clients, o.Namespace, nil, false)
		wg.Wait()
		switch {
		case err != nil:
			return err
		case apierrors.IsForbidden(mErr):
			st.ManagedUnknown = true
		case mErr != nil:
			return ExplainAPIError(mErr, "list", virtualServicesResource)
		default:
			st.Managed = managed
		}
		changes, err := model.PlanDelete(&o.req, st)
		if err != nil {
			return err
		}
		if st.ManagedUnknown && !warned && prunes(&o.req, st) {
			fmt.Fprintf(o.ErrOut, "warning: cannot list VirtualServices in all namespaces (forbidden), so routes of other namespaces may still use the Gateway: it is kept as it is\n")
			warned = true
		}
		result, err = a.apply(ctx, changes)
		return err
	})
	if err != nil {
		return err
	}
	return printChanges(o.PrintFlags, o.Out, result, o.dryRun)
}

// listManagedVirtualServices reads the tool's VirtualServices in every
// namespace, in one request.
func listManagedVirtualServices(ctx context.Context, c *Clients) ([]*networkingv1.VirtualService, error) {
	l, err := c.Istio.NetworkingV1().VirtualServices(metav1.NamespaceAll).List(ctx,
		metav1.ListOptions{LabelSelector: model.ManagedByLabel + "=" + model.ManagedBy})
	if err != nil {
		return nil, err
	}
	return l.Items, nil
}

// prunes is whether the plan would change a Gateway if only the namespace
// counted: what is kept when the other namespaces cannot be read.
func prunes(d *model.Delete, st model.State) bool {
	st.ManagedUnknown = false
	changes, err := model.PlanDelete(d, st)
	return err == nil && slices.ContainsFunc(changes, func(c model.Change) bool { return c.Gateway != nil })
}
