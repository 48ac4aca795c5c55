package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// Options is what every command's options struct implements, in the order
// kubectl's commands run them: Complete (read flags, args and the
// environment), Validate (pure checks of the values), Run (the only side
// effects, connecting to the cluster included).
type Options interface {
	Complete(cmd *cobra.Command, args []string) error
	Validate() error
	Run(ctx context.Context) error
}

// RunE is the RunE of every command: Complete, Validate, then Run.
func RunE(o Options) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := o.Complete(cmd, args); err != nil {
			return err
		}
		if err := o.Validate(); err != nil {
			return err
		}
		return o.Run(cmd.Context())
	}
}

// ExitError ends a command with exit code Code and no message: what went
// wrong was already printed (explain's verdict on a URL that is not
// answered).
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit code %d", e.Code) }
