package plugin

import (
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apply"
	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// newStores are the writers of the kinds the tool writes.
func newStores(c *kube.Clients) apply.Stores {
	s := apply.Stores{}
	ist := c.Istio
	apply.AddStore(s, istio.GatewaysResource, func(ns string) apply.TypedClient[*networkingv1.Gateway] {
		return ist.NetworkingV1().Gateways(ns)
	})
	apply.AddStore(s, istio.VirtualServicesResource, func(ns string) apply.TypedClient[*networkingv1.VirtualService] {
		return ist.NetworkingV1().VirtualServices(ns)
	})
	if c.Gateway != nil {
		apply.AddStore(s, gwapi.GatewaysResource, func(ns string) apply.TypedClient[*gwv1.Gateway] {
			return c.Gateway.Gateways(ns)
		})
		apply.AddStore(s, gwapi.HTTPRoutesResource, func(ns string) apply.TypedClient[*gwv1.HTTPRoute] {
			return c.Gateway.HTTPRoutes(ns)
		})
	}
	return s
}
