package istio

import (
	"context"
	"fmt"
	"maps"

	apinet "istio.io/api/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// printReach tells how to reach what was exposed: a URL per host (to Out
// when no -o was asked, else to ErrOut) and a curl line with the Host
// header when the host is not "*". When the gateway has no outside address
// it prints why and the proxy hint instead.
func (x *istioExpose) printReach(ctx context.Context, lookup *ingressLookup, result []route.Change) {
	if len(result) == 0 || GatewayOf(result[0]) == nil {
		return
	}
	gw := GatewayOf(result[0])
	out := x.in.Out
	in, err := lookup.get()
	if !maps.Equal(gw.Spec.Selector, x.in.Req.Selector) {
		in, err = resolve.FindIngress(ctx, x.c.Kube, resolve.Options{Selector: gw.Spec.Selector})
	}
	if err != nil {
		fmt.Fprintf(x.in.ErrOut, "cannot tell where the gateway is reachable: %v\n", err)
		return
	}
	scheme := "http"
	if x.in.Req.TLSSecret != "" {
		scheme = "https"
	}
	path := x.in.Req.Matches[0].Path
	for _, host := range x.in.Req.Hosts {
		eps, err := x.endpointsFor(ctx, in, gw.Spec.Servers, host, scheme)
		if !cli.PrintEndpoint(out, x.in.ErrOut, eps, err, host, path) {
			return
		}
	}
}

// endpointsFor finds the ways in for the port of the Gateway server that
// serves host, or the ingress port of that scheme.
func (x *istioExpose) endpointsFor(ctx context.Context, in *resolve.Ingress, servers []*apinet.Server, host, scheme string) ([]resolve.Endpoint, error) {
	for _, s := range servers {
		if rules.ServerScheme(s) != scheme {
			continue
		}
		for _, h := range s.Hosts {
			if rules.ServerHostServes(h, host) {
				if p, ok := in.PortForNumber(int32(s.GetPort().GetNumber())); ok {
					return resolve.EndpointsForPort(ctx, x.c.Kube, in, p, scheme)
				}
			}
		}
	}
	return resolve.Endpoints(ctx, x.c.Kube, in, resolve.Role(scheme))
}
