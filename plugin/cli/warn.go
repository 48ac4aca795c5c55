package cli

import (
	"fmt"
	"io"
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
