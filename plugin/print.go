package plugin

import (
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
)

// objectFormats are the -o values of expose and delete.
var objectFormats = []string{"yaml", "json", "name"}

// addOutputFlag adds -o to cmd, its help naming only the formats that
// validateOutput accepts (PrintFlags.AddFlags would also offer the
// templates), and --show-managed-fields that yaml and json honor.
func addOutputFlag(cmd *cobra.Command, pf *genericclioptions.PrintFlags) {
	pf.JSONYamlPrintFlags.AddFlags(cmd)
	cmd.Flags().StringVarP(pf.OutputFormat, "output", "o", *pf.OutputFormat, "Output format: "+strings.Join(objectFormats, "|"))
	pf.OutputFlagSpecified = func() bool { return cmd.Flag("output").Changed }
}

// validateOutput allows "" and formats only.
func validateOutput(pf *genericclioptions.PrintFlags, formats ...string) error {
	out := ""
	if pf.OutputFormat != nil {
		out = *pf.OutputFormat
	}
	if out != "" && !slices.Contains(formats, out) {
		return invalidOutput(out, formats)
	}
	return nil
}

// objectList is objs as one v1 List, what kubectl prints for several
// objects with -o yaml|json (`kubectl get a b -o json`).
func objectList(objs []runtime.Object) *metav1.List {
	l := &metav1.List{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "List"}, Items: []runtime.RawExtension{}}
	for _, o := range objs {
		l.Items = append(l.Items, runtime.RawExtension{Object: o})
	}
	return l
}

// printChanges prints the objects of changes the kubectl way: a line NAME
// OP each by default, or for -o name a line NAME each, or for -o yaml|json
// the object, or one v1 List of them when there are several (so the output
// is one JSON value, one YAML document). Objects get their apiVersion/kind
// back (the typed clients strip them).
func printChanges(pf *genericclioptions.PrintFlags, out io.Writer, changes []model.Change, mode dryRunMode) error {
	objs := make([]runtime.Object, 0, len(changes))
	for _, c := range changes {
		objs = append(objs, withKind(c.Object))
	}
	format := ""
	if pf.OutputFormat != nil {
		format = *pf.OutputFormat
	}
	if format == "yaml" || format == "json" {
		p, err := pf.ToPrinter()
		if err != nil {
			return err
		}
		if len(objs) == 1 {
			return p.PrintObj(objs[0], out)
		}
		return p.PrintObj(objectList(objs), out)
	}
	for i, obj := range objs {
		if format == "" {
			pf.NamePrintFlags.Operation = string(changes[i].Op) + mode.suffix()
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
