package plugin

import (
	"context"
	"errors"
	"fmt"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// printGatewayReach tells how to reach what was exposed through a Gateway
// API Gateway: a URL (or curl line with the Host header) per host, through
// the Service Istio deployed for the Gateway, on the port of the listener
// the host's route is attached to (HTTPS when it has one).
func (o *ExposeOptions) printGatewayReach(ctx context.Context, result []model.Change) {
	if len(result) == 0 {
		return
	}
	g, ok := result[0].Object.(*gwv1.Gateway)
	if !ok {
		return
	}
	out := o.Out
	if o.PrintFlags.OutputFormat != nil && *o.PrintFlags.OutputFormat != "" {
		out = o.ErrOut
	}
	in, err := gatewayIngress(ctx, o.Clients, g.Namespace, g.Name)
	if err != nil {
		fmt.Fprintf(o.ErrOut, "cannot tell where the gateway is reachable: %v\n", err)
		return
	}
	path := o.req.Matches[0].Path
	for _, ch := range result[1:] {
		r, ok := ch.Object.(*gwv1.HTTPRoute)
		if !ok || ch.Op == model.OpDelete || r.Labels[gwapi.ServiceLabel] != o.req.Target.Service || isRedirect(r) {
			continue
		}
		l := routeListener(g, r)
		if l == nil {
			continue
		}
		scheme := "http"
		if l.Protocol == gwv1.HTTPSProtocolType {
			scheme = "https"
		}
		port, ok := in.PortForNumber(int32(l.Port))
		if !ok {
			fmt.Fprintf(o.ErrOut, "cannot tell where the gateway is reachable: Service %s/%s has no port %d for listener %q\n", in.Service.Namespace, in.Service.Name, l.Port, l.Name)
			continue
		}
		eps, err := resolve.EndpointsForPort(ctx, o.Clients.Kube, in, port, scheme)
		var un *resolve.Unreachable
		switch {
		case errors.As(err, &un):
			fmt.Fprintf(o.ErrOut, "%v\n", un)
			return
		case err != nil:
			fmt.Fprintf(o.ErrOut, "cannot tell where the gateway is reachable: %v\n", err)
			return
		case len(eps) == 0:
			continue
		}
		printURL(out, eps[0], gwapi.HostOf(r), path)
	}
}

// isRedirect is whether r is a redirect route of the tool.
func isRedirect(r *gwv1.HTTPRoute) bool {
	for _, rule := range r.Spec.Rules {
		if len(rule.BackendRefs) > 0 {
			return false
		}
	}
	return len(r.Spec.Rules) > 0
}

// routeListener is the listener of g the route is attached to, HTTPS
// first.
func routeListener(g *gwv1.Gateway, r *gwv1.HTTPRoute) *gwv1.Listener {
	var found *gwv1.Listener
	ref := model.ObjectRef{Namespace: g.Namespace, Name: g.Name}
	for _, p := range r.Spec.ParentRefs {
		pr, ok := gwapi.ParentGateway(p, r.Namespace)
		if !ok || pr != ref {
			continue
		}
		for i := range g.Spec.Listeners {
			l := &g.Spec.Listeners[i]
			if p.SectionName != nil && *p.SectionName != l.Name {
				continue
			}
			if found == nil || l.Protocol == gwv1.HTTPSProtocolType && found.Protocol != gwv1.HTTPSProtocolType {
				found = l
			}
		}
	}
	return found
}
