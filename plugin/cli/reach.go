package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// PrintEndpoint prints the URL of host and path at the first endpoint, or
// why the gateway cannot be reached (then false: no other host will be).
func PrintEndpoint(out, errOut io.Writer, eps []resolve.Endpoint, err error, host, path string) bool {
	var un *resolve.Unreachable
	switch {
	case errors.As(err, &un):
		fmt.Fprintf(errOut, "%v\n", un)
		return false
	case err != nil:
		fmt.Fprintf(errOut, "cannot tell where the gateway is reachable: %v\n", err)
		return false
	case len(eps) > 0:
		printURL(out, eps[0], host, path)
	}
	return true
}

// printURL prints the URL of host and path at ep, as a curl line with
// the Host header when the host is not "*".
func printURL(out io.Writer, ep resolve.Endpoint, host, path string) {
	if h := rules.HostHeader(host); h != "" {
		fmt.Fprintln(out, resolve.Curl(ep, h, path))
		return
	}
	fmt.Fprintln(out, ep.URL()+path)
}
