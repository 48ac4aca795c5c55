package plugin

import (
	"fmt"

	"github.com/spf13/cobra"
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
