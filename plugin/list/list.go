package list

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
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

// NewCmd returns `kubectl expose-gw list`.
func NewCmd(flags *kube.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
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

// rows reads every API's routes (apis.Read: an API the cluster does not
// serve has none; one the user may not read is left out, said in a
// warning).
func (o *ListOptions) rows(ctx context.Context) ([]route.RouteRow, error) {
	set := apis.New(ctx, o.Clients)
	defer set.Close()
	res, err := apis.Read(ctx, set.All(), "listed", func(ctx context.Context, api apis.API) ([]route.RouteRow, bool, error) {
		rows, err := api.Rows(ctx, o.Namespace)
		return rows, len(rows) > 0, err
	})
	if err != nil {
		return nil, err
	}
	cli.Warn(o.ErrOut, res.Warnings...)
	var rows []route.RouteRow
	for _, f := range res.Found {
		rows = append(rows, f.Items...)
	}
	route.SortRows(rows)
	return rows, nil
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
