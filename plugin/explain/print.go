package explain

import (
	"encoding/json"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// print writes the verdict: one line per hop then the outcome (text), or
// the one object of the -o json/yaml contract.
func print(w io.Writer, format string, e *route.Explanation) error {
	switch format {
	case "json", "yaml":
		b, err := json.MarshalIndent(e, "", "  ")
		if err != nil {
			return err
		}
		if format == "yaml" {
			if b, err = yaml.JSONToYAML(b); err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	for _, h := range e.Hops {
		fmt.Fprintln(w, h)
	}
	status := ""
	if e.Status != 0 {
		status = fmt.Sprintf(" (%d)", e.Status)
	}
	fmt.Fprintf(w, "%s%s: %s\n", e.Outcome, status, e.Reason)
	if e.Fix != "" {
		fmt.Fprintf(w, "fix: %s\n", e.Fix)
	}
	return nil
}
