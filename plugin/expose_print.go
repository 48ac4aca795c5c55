package plugin

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/printers"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
)

// dryRunMode is --dry-run.
type dryRunMode int

const (
	dryRunNone dryRunMode = iota
	dryRunClient
	dryRunServer
)

func addDryRunFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "dry-run", "none", `"none", "client" (print the objects, write nothing) or "server" (send them to the apiserver to validate, persist nothing)`)
	cmd.Flags().Lookup("dry-run").NoOptDefVal = "client"
}

func parseDryRun(s string) (dryRunMode, error) {
	switch s {
	case "", "none", "false":
		return dryRunNone, nil
	case "client", "true":
		return dryRunClient, nil
	case "server":
		return dryRunServer, nil
	}
	return 0, fmt.Errorf("invalid --dry-run %q: expected none, client or server", s)
}

func (m dryRunMode) suffix() string {
	switch m {
	case dryRunClient:
		return " (dry run)"
	case dryRunServer:
		return " (server dry run)"
	}
	return ""
}

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
		return fmt.Errorf("invalid --output %q: expected one of %v", out, formats)
	}
	return nil
}

// printChanges prints each object of changes the kubectl way: NAME OP by
// default, or the objects for -o yaml|json|name (one printer, so YAML
// documents are separated). Objects get their apiVersion/kind back (the
// typed clients strip them).
func printChanges(pf *genericclioptions.PrintFlags, out io.Writer, changes []model.Change, mode dryRunMode) error {
	var shared printers.ResourcePrinter
	if pf.OutputFormat != nil && *pf.OutputFormat != "" {
		p, err := pf.ToPrinter()
		if err != nil {
			return err
		}
		shared = p
	}
	for _, c := range changes {
		obj := model.WithKind(c.Object)
		p := shared
		if p == nil {
			pf.NamePrintFlags.Operation = string(c.Op) + mode.suffix()
			var err error
			if p, err = pf.ToPrinter(); err != nil {
				return err
			}
		}
		if err := p.PrintObj(obj, out); err != nil {
			return err
		}
	}
	return nil
}
