package plugin

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// ListOptions holds the flags of `kubectl expose-gw list`.
type ListOptions struct {
	Flags *kube.ConfigFlags
	genericiooptions.IOStreams

	AllNamespaces bool
	Output        string

	Clients   *kube.Clients
	Namespace string
}

// NewCmdList returns `kubectl expose-gw list`.
func NewCmdList(flags *kube.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ListOptions{Flags: flags, IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "list [-A] [-o wide|yaml|json]",
		Short: "List the routes kubectl expose-gw manages, and whether they are shadowed or conflict",
		Args:  cobra.NoArgs,
		RunE:  cli.RunE(o),
	}
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "List across all namespaces")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format: "+strings.Join(listFormats, "|")+" (yaml and json: one v1 List of the rows)")
	return cmd
}

// listFormats are the -o values of list.
var listFormats = []string{"wide", "yaml", "json"}

// Complete has nothing to read: the clients are built by Run, after
// Validate, so a bad flag is reported even when the kubeconfig cannot be
// read.
func (o *ListOptions) Complete(_ *cobra.Command, _ []string) error { return nil }

// Validate checks -o.
func (o *ListOptions) Validate() error {
	if o.Output != "" && !slices.Contains(listFormats, o.Output) {
		return cli.InvalidOutput(o.Output, listFormats)
	}
	return nil
}

// connect builds the clients (unless set) and the namespace to list.
func (o *ListOptions) connect() error {
	if err := kube.Connect(&o.Clients, o.Flags, &o.Namespace); err != nil {
		return err
	}
	if o.AllNamespaces {
		o.Namespace = ""
	}
	return nil
}

// Run lists the VirtualServices (in pages) and prints a row per route.
func (o *ListOptions) Run(ctx context.Context) error {
	if err := o.connect(); err != nil {
		return err
	}
	rows, err := o.rows(ctx)
	if err != nil {
		return err
	}
	switch o.Output {
	case "yaml", "json":
		return printRouteList(o.Out, o.Output, rows)
	}
	if len(rows) == 0 {
		where := "in namespace " + o.Namespace
		if o.Namespace == "" {
			where = "in any namespace"
		}
		fmt.Fprintf(o.ErrOut, "No routes %s.\n", where)
		return nil
	}
	return printRouteTable(o.Out, rows, o.Output == "wide")
}

func printRouteTable(out io.Writer, rows []route.RouteRow, wide bool) error {
	w := printers.GetNewTabWriter(out)
	head := "NAMESPACE\tAPI\tHOST\tMATCH\tDESTINATION\tGATEWAY\tSTATUS"
	if wide {
		head += "\tOBJECT\tROUTE\tREWRITE\tMANAGED"
	}
	fmt.Fprintln(w, head)
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s", r.Namespace, r.API, r.Host, r.Match, r.Destination, r.Gateway, r.Status)
		if wide {
			rw := r.Rewrite
			if rw == "" {
				rw = "<none>"
			}
			obj := "virtualservice/" + r.VirtualService
			if r.HTTPRoute != "" {
				obj = "httproute/" + r.HTTPRoute
			}
			fmt.Fprintf(w, "\t%s\t%s\t%s\t%t", obj, orNone(r.Route), rw, r.Managed)
		}
		fmt.Fprintln(w)
	}
	return w.Flush()
}

// routeItem is a row as an item of the v1 List `list -o yaml|json` prints.
type routeItem struct {
	metav1.TypeMeta `json:",inline"`
	route.RouteRow  `json:",inline"`
}

// DeepCopyObject makes routeItem a runtime.Object for the printers.
func (r *routeItem) DeepCopyObject() runtime.Object { c := *r; return &c }

// printRouteList prints the rows as one v1 List, as kubectl prints several
// objects: each row an item of kind Route (expose-gw.kubectl.io/v1, a kind
// no apiserver serves: the rows are what list found, not objects to apply).
func printRouteList(out io.Writer, format string, rows []route.RouteRow) error {
	objs := make([]runtime.Object, 0, len(rows))
	for _, r := range rows {
		objs = append(objs, &routeItem{TypeMeta: metav1.TypeMeta{APIVersion: "expose-gw.kubectl.io/v1", Kind: "Route"}, RouteRow: r})
	}
	var p printers.ResourcePrinter = &printers.JSONPrinter{}
	if format == "yaml" {
		p = &printers.YAMLPrinter{}
	}
	return p.PrintObj(cli.ObjectList(objs), out)
}

// rows reads both APIs' routes (an API the cluster does not serve has
// none; when neither is served, that is the error).
func (o *ListOptions) rows(ctx context.Context) ([]route.RouteRow, error) {
	var (
		gst   gwapi.State
		gwErr error
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		gst, gwErr = o.gatewayState(ctx)
	}()
	rows, istErr := o.istioRows(ctx)
	wg.Wait()
	switch {
	case kube.NotServed(istErr) && kube.NotServed(gwErr):
		return nil, istErr
	case kube.NotServed(istErr):
		istErr = nil
	case kube.NotServed(gwErr):
		gwErr = nil
	}
	// One API readable: its rows, and a word on the other.
	switch {
	case apierrors.IsForbidden(istErr) && gwErr == nil:
		cli.Warnf(o.ErrOut, "%v: only the Gateway API's routes are listed", istErr)
		istErr = nil
	case apierrors.IsForbidden(gwErr) && istErr == nil:
		cli.Warnf(o.ErrOut, "%v: only the Istio API's routes are listed", gwErr)
		gwErr = nil
	}
	if err := cmp.Or(istErr, gwErr); err != nil {
		return nil, err
	}
	rows = append(rows, gwapi.ListRoutes(gst)...)
	route.SortRows(rows)
	return rows, nil
}

// istioRows are the rows of the VirtualServices.
func (o *ListOptions) istioRows(ctx context.Context) ([]route.RouteRow, error) {
	vss, err := istio.ListVirtualServices(ctx, o.Clients)(o.Namespace)
	if err != nil {
		return nil, kube.ExplainAPIError(err, "list", istio.VirtualServicesResource)
	}
	// Every namespace's Gateways (a VirtualService may bind one
	// elsewhere), or the namespace's when that is forbidden.
	gws, _, err := kube.ListWide(ctx, o.Namespace, istio.GatewaysResource, istio.ListGateways(ctx, o.Clients))
	if err != nil {
		return nil, err
	}
	return istio.ListRoutes(gws, vss), nil
}

// gatewayState reads the HTTPRoutes of the namespace (or all) and the
// Gateways (of every namespace, when allowed: routes attach across) and
// classes they need.
func (o *ListOptions) gatewayState(ctx context.Context) (gwapi.State, error) {
	var st gwapi.State
	var err error
	if st.Routes, err = gwapi.ListHTTPRoutes(ctx, o.Clients)(o.Namespace); err != nil {
		return st, kube.ExplainAPIError(err, "list", gwapi.HTTPRoutesResource)
	}
	if st.Gateways, _, err = kube.ListWide(ctx, o.Namespace, gwapi.GatewaysResource, gwapi.ListGateways(ctx, o.Clients)); err != nil {
		return st, err
	}
	st.Classes = gatewayClasses(ctx, o.Clients)
	return st, nil
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
