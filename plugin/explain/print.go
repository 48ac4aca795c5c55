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
	if l := e.Live; l != nil {
		printLive(w, l)
	}
	return nil
}

// printLive writes the walk through the running gateway (--live).
func printLive(w io.Writer, l *route.ExplainLive) {
	fmt.Fprintf(w, "live, pod %s (Envoy's config_dump):\n", l.Pod)
	if l.Listener != "" {
		fmt.Fprintf(w, "  listener %s, route configuration %s, virtual host %s\n", l.Listener, orDash(l.RouteConfig), orDash(l.VirtualHost))
	}
	switch {
	case l.Route != "":
		cfg := ""
		if l.Config != "" {
			cfg = " (" + l.Config + ")"
		}
		fmt.Fprintf(w, "  route %q%s: %s\n", l.Route, cfg, l.Action)
	case l.Stop != "":
		fmt.Fprintf(w, "  %s\n", l.Stop)
	}
	if l.Agrees {
		fmt.Fprintln(w, "  agrees with the objects")
		return
	}
	fmt.Fprintf(w, "  differs: %s\n", l.Difference)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
