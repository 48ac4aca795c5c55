package cli

import (
	"fmt"
	"io"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Warnf prints one warning on w with kubectl's prefix ("Warning: "), the
// one place a warning is worded; commands print them, planners return
// them as data.
func Warnf(w io.Writer, format string, a ...any) {
	fmt.Fprintf(w, "Warning: "+format+"\n", a...)
}

// Warn prints each warning with warnf.
func Warn[T any](w io.Writer, warnings ...T) {
	for _, x := range warnings {
		Warnf(w, "%v", x)
	}
}

// Say prints notes on w: warnings with Warnf, the others as they are.
func Say(w io.Writer, notes ...route.Note) {
	for _, n := range notes {
		if n.Warning {
			Warnf(w, "%s", n.Text)
		} else {
			fmt.Fprintln(w, n.Text)
		}
	}
}

// Line is a function printing a line on w.
func Line(w io.Writer) func(string) { return func(s string) { fmt.Fprintln(w, s) } }
