package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// List is -o json: one item per URL.
type List struct {
	Items []Item `json:"items"`
}

// AllOK is whether every route was answered by its own Service.
func AllOK(items []Item) bool {
	for _, it := range items {
		if !it.OK {
			return false
		}
	}
	return len(items) > 0
}

// PrintJSON prints the items as {"items": [...]}.
func PrintJSON(w io.Writer, items []Item) error {
	if items == nil {
		items = []Item{}
	}
	b, err := json.MarshalIndent(List{Items: items}, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// PrintText prints one line per URL and, under a route not answered by
// its own Service, explain's reason and fix.
func PrintText(w io.Writer, items []Item) error {
	var b strings.Builder
	for _, it := range items {
		b.WriteString(Line(it) + "\n")
		for _, l := range Details(it) {
			b.WriteString("  " + l + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Line is an item in one line: OK or FAIL, status, time, way, URL, Host,
// who answered.
func Line(it Item) string {
	mark := "FAIL"
	if it.OK {
		mark = "OK"
	}
	status := "-"
	if it.Status != 0 {
		status = fmt.Sprint(it.Status)
	}
	via := it.Via
	if via == "" {
		via = "-"
	}
	host := ""
	if it.Host != "" && it.Host != "*" {
		host = "  Host: " + it.Host
	}
	return fmt.Sprintf("%-4s  %-3s  %4dms  %-12s  %s%s  %s", mark, status, it.MS, via, it.URL, host, it.Verdict())
}

// Details are the lines under an item that is not OK: the rule that took
// the request elsewhere, or why the gateway answered, and the fix.
func Details(it Item) []string {
	if it.OK {
		return nil
	}
	var out []string
	if it.Error != "" {
		out = append(out, "error: "+it.Error)
	}
	e := it.Explain
	if e == nil {
		return out
	}
	if r := e.Route; r != nil && (r.Namespace+"/"+r.Name != it.own || it.Reached != "" && it.Reached != it.Service) {
		out = append(out, fmt.Sprintf("taken by: rule %d of %s %s/%s (%s)", e.Route.Rule, e.Route.Kind, e.Route.Namespace, e.Route.Name, e.Route.Match))
	}
	if e.Reason != "" {
		out = append(out, "explain: "+e.Reason)
	}
	if it.AnsweredBy == ByGateway && it.Flag == FlagNoRoute && e.Outcome == route.OutcomeRouted {
		// The objects route it; the gateway that answered does not.
		out = append(out, "the gateway does not run what the objects say yet: istiod has not pushed the change to it, or Istio rejected an object (istioctl analyze; the istiod logs)")
	}
	if e.Fix != "" {
		out = append(out, "fix: "+e.Fix)
	}
	return out
}
