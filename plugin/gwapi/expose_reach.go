package gwapi

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// printGatewayReach tells how to reach what was exposed through a Gateway
// API Gateway: a URL (or curl line with the Host header) per host, at the
// Gateway's address or the nodePort of the Service Istio deployed for it
// (gatewayTarget, as url finds them), on the port of the listener the
// host's route is attached to (HTTPS when it has one).
func (x *gatewayExpose) printReach(ctx context.Context, result []route.Change) {
	if len(result) == 0 {
		return
	}
	g, ok := result[0].Object.(*gwv1.Gateway)
	if !ok {
		return
	}
	if cur, err := x.c.Gateway.Gateways(g.Namespace).Get(ctx, g.Name, metav1.GetOptions{}); err == nil {
		g = cur // with the status Istio wrote meanwhile
	}
	out := x.in.Out
	t := newGatewayTarget(x.c, g)
	path := x.in.Req.Matches[0].Path
	for _, ch := range result[1:] {
		r, ok := ch.Object.(*gwv1.HTTPRoute)
		if !ok || ch.Op == route.OpDelete || r.Labels[ServiceLabel] != x.in.Req.Target.Service || isRedirect(r) {
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
		eps, err := t.endpoints(ctx, int32(l.Port), scheme)
		if !cli.PrintEndpoint(out, x.in.ErrOut, eps, err, HostOf(r), path) {
			return
		}
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
	ref := route.ObjectRef{Namespace: g.Namespace, Name: g.Name}
	for _, p := range r.Spec.ParentRefs {
		pr, ok := ParentGateway(p, r.Namespace)
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
