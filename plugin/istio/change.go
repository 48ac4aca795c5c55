package istio

import (
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// The Istio API's objects of a change.

// GatewayOf is the change's Istio Gateway, nil when it is of another kind.
func GatewayOf(c route.Change) *networkingv1.Gateway {
	g, _ := c.Object.(*networkingv1.Gateway)
	return g
}

// VirtualServiceOf is the change's VirtualService, nil when it is of
// another kind.
func VirtualServiceOf(c route.Change) *networkingv1.VirtualService {
	v, _ := c.Object.(*networkingv1.VirtualService)
	return v
}

// BeforeGateway is the change's Gateway as it was, nil when created or of another kind.
func BeforeGateway(c route.Change) *networkingv1.Gateway {
	g, _ := c.Before.(*networkingv1.Gateway)
	return g
}

// BeforeVS is the change's VirtualService as it was, nil when created or of another kind.
func BeforeVS(c route.Change) *networkingv1.VirtualService {
	v, _ := c.Before.(*networkingv1.VirtualService)
	return v
}
