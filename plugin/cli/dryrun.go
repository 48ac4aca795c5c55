package cli

import "github.com/spf13/cobra"

func AddDryRunFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "dry-run", "none", `"none", "client" (print the objects, write nothing) or "server" (send them to the apiserver to validate, persist nothing)`)
	cmd.Flags().Lookup("dry-run").NoOptDefVal = "client"
}
