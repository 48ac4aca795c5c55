package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// ObjectFormats are the -o values of expose and delete.
var ObjectFormats = []string{"yaml", "json", "name"}

// PrintFlags are -o and --show-managed-fields of the commands that print
// objects: the part of cli-runtime's genericclioptions.PrintFlags they
// offer (yaml, json, name), on cli-runtime's printers as PrintFlags builds
// them. (The package genericclioptions links what plugin/kube's doc says.)
type PrintFlags struct {
	OutputFormat      string
	ShowManagedFields bool
	// Operation is what the name printer adds ("created", ...).
	Operation string
	// WithKind copies an object with its apiVersion and kind set (the
	// typed clients strip them; the printers need them).
	WithKind func(route.Object) runtime.Object
}

// AddOutputFlag adds -o to cmd, its help naming the formats that
// validateOutput accepts, and --show-managed-fields that yaml and json honor.
func AddOutputFlag(cmd *cobra.Command, pf *PrintFlags) {
	cmd.Flags().BoolVar(&pf.ShowManagedFields, "show-managed-fields", false, "If true, keep the managedFields when printing objects in JSON or YAML format.")
	cmd.Flags().StringVarP(&pf.OutputFormat, "output", "o", pf.OutputFormat, "Output format: "+strings.Join(ObjectFormats, "|"))
}

// ValidateOutput allows "" and formats only.
func ValidateOutput(pf *PrintFlags, formats ...string) error {
	if pf.OutputFormat != "" && !slices.Contains(formats, pf.OutputFormat) {
		return InvalidOutput(pf.OutputFormat, formats)
	}
	return nil
}

// ToPrinter is the printer of the format (the objects it prints have
// their apiVersion and kind: see WithKind).
func (pf *PrintFlags) ToPrinter() (printers.ResourcePrinter, error) {
	var p printers.ResourcePrinter
	switch pf.OutputFormat {
	case "json", "yaml":
		p = &printers.JSONPrinter{}
		if pf.OutputFormat == "yaml" {
			p = &printers.YAMLPrinter{}
		}
		if !pf.ShowManagedFields {
			p = &printers.OmitManagedFieldsPrinter{Delegate: p}
		}
	case "name", "":
		p = &printers.NamePrinter{Operation: pf.Operation, ShortOutput: pf.OutputFormat == "name"}
	default:
		return nil, InvalidOutput(pf.OutputFormat, ObjectFormats)
	}
	return p, nil
}

// ObjectList is objs as one v1 List, what kubectl prints for several
// objects with -o yaml|json (`kubectl get a b -o json`).
func ObjectList(objs []runtime.Object) *metav1.List {
	l := &metav1.List{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "List"}, Items: []runtime.RawExtension{}}
	for _, o := range objs {
		l.Items = append(l.Items, runtime.RawExtension{Object: o})
	}
	return l
}

// PrintChanges prints the objects of changes the kubectl way: a line NAME
// OP each by default, or for -o name a line NAME each, or for -o yaml|json
// the object, or one v1 List of them when there are several (so the output
// is one JSON value, one YAML document). Objects get their apiVersion/kind
// back (the typed clients strip them).
func PrintChanges(pf *PrintFlags, out io.Writer, changes []route.Change, mode route.DryRun) error {
	objs := make([]runtime.Object, 0, len(changes))
	for _, c := range changes {
		objs = append(objs, pf.WithKind(withoutKeys(c.Object)))
	}
	format := pf.OutputFormat
	if format == "yaml" || format == "json" {
		p, err := pf.ToPrinter()
		if err != nil {
			return err
		}
		if len(objs) == 1 {
			return p.PrintObj(objs[0], out)
		}
		return p.PrintObj(ObjectList(objs), out)
	}
	for i, obj := range objs {
		if format == "" {
			pf.Operation = string(changes[i].Op) + mode.Suffix()
		}
		p, err := pf.ToPrinter()
		if err != nil {
			return err
		}
		if err := p.PrintObj(obj, out); err != nil {
			return err
		}
	}
	return nil
}

// InvalidOutput is the error for an -o value a command does not print.
func InvalidOutput(value string, allowed []string) error {
	return fmt.Errorf("invalid --output %q: expected %s", value, kube.OrList(allowed))
}

// withoutKeys is o with a Secret's private key left out: the objects
// printed (-o yaml|json, in logs) never carry the CA's or a certificate's
// key; the certificate stays.
func withoutKeys(o route.Object) route.Object {
	s, ok := o.(*corev1.Secret)
	if !ok || s.Data[corev1.TLSPrivateKeyKey] == nil {
		return o
	}
	s = s.DeepCopy()
	delete(s.Data, corev1.TLSPrivateKeyKey)
	return s
}
