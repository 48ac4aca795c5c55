package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"

	apinet "istio.io/api/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// printReach tells how to reach what was exposed: a URL per host (to Out
// when no -o was asked, else to ErrOut) and a curl line with the Host
// header when the host is not "*". When the gateway has no outside address
// it prints why and the proxy hint instead.
func (o *ExposeOptions) printReach(ctx context.Context, lookup *ingressLookup, result []route.Change) {
	if len(result) == 0 || istio.GatewayOf(result[0]) == nil {
		return
	}
	gw := istio.GatewayOf(result[0])
	out := o.Out
	if o.PrintFlags.OutputFormat != "" {
		out = o.ErrOut
	}
	in, err := lookup.get()
	if !maps.Equal(gw.Spec.Selector, o.req.Selector) {
		in, err = resolve.FindIngress(ctx, o.Clients.Kube, resolve.Options{Selector: gw.Spec.Selector})
	}
	if err != nil {
		fmt.Fprintf(o.ErrOut, "cannot tell where the gateway is reachable: %v\n", err)
		return
	}
	scheme := "http"
	if o.req.TLSSecret != "" {
		scheme = "https"
	}
	path := o.req.Matches[0].Path
	for _, host := range o.req.Hosts {
		eps, err := endpointsFor(ctx, o, in, gw.Spec.Servers, host, scheme)
		if !printEndpoint(out, o.ErrOut, eps, err, host, path) {
			return
		}
	}
}

// printEndpoint prints the URL of host and path at the first endpoint, or
// why the gateway cannot be reached (then false: no other host will be).
func printEndpoint(out, errOut io.Writer, eps []resolve.Endpoint, err error, host, path string) bool {
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

// endpointsFor finds the ways in for the port of the Gateway server that
// serves host, or the ingress port of that scheme.
func endpointsFor(ctx context.Context, o *ExposeOptions, in *resolve.Ingress, servers []*apinet.Server, host, scheme string) ([]resolve.Endpoint, error) {
	for _, s := range servers {
		if rules.ServerScheme(s) != scheme {
			continue
		}
		for _, h := range s.Hosts {
			if rules.ServerHostServes(h, host) {
				if p, ok := in.PortForNumber(int32(s.GetPort().GetNumber())); ok {
					return resolve.EndpointsForPort(ctx, o.Clients.Kube, in, p, scheme)
				}
			}
		}
	}
	return resolve.Endpoints(ctx, o.Clients.Kube, in, resolve.Role(scheme))
}

func printURL(out io.Writer, ep resolve.Endpoint, host, path string) {
	if h := rules.HostHeader(host); h != "" {
		fmt.Fprintln(out, resolve.Curl(ep, h, path))
		return
	}
	fmt.Fprintln(out, ep.URL()+path)
}
