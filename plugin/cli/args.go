package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// ServiceArgs are the positional arguments of a command taking one
// SERVICE (optional unless required): an extra argument, or a missing
// SERVICE, is named in the error, not counted.
func ServiceArgs(required bool) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) > 1:
			return fmt.Errorf("unexpected argument %q: expected one SERVICE", args[1])
		case len(args) == 0 && required:
			return fmt.Errorf("missing SERVICE: expected one SERVICE (%s SERVICE)", cmd.CommandPath())
		}
		return nil
	}
}
