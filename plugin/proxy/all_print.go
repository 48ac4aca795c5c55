package proxy

import (
	"fmt"
	"io"

	"k8s.io/cli-runtime/pkg/printers"

	"github.com/expose-gw/kubectl-expose-gw/portforward"
)

// printSites writes the table of local URLs: one row per route path.
func printSites(out io.Writer, sites []hostSite, port string) error {
	w := printers.GetNewTabWriter(out)
	fmt.Fprintln(w, "LOCAL URL\tHOST\tSERVICE\tGATEWAY")
	for _, s := range sites {
		seen := map[string]bool{}
		for i, r := range s.routes {
			row := r.Path + " " + s.services[i]
			if seen[row] {
				continue
			}
			seen[row] = true
			fmt.Fprintf(w, "http://%s:%s%s\t%s\t%s\t%s\n", portforward.LocalName(s.host), port, r.Path, s.scheme+"://"+s.host, s.services[i], r.Gateway)
		}
	}
	return w.Flush()
}
