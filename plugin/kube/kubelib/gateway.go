package kubelib

import (
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/typed/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// Gateway is g as a kube.GatewayV1.
func Gateway(g gwclient.GatewayV1Interface) kube.GatewayV1 { return gatewayAdapter{g} }

type gatewayAdapter struct{ g gwclient.GatewayV1Interface }

func (a gatewayAdapter) GatewayClasses() kube.Client[*gwv1.GatewayClass, *gwv1.GatewayClassList] {
	return a.g.GatewayClasses()
}

func (a gatewayAdapter) Gateways(ns string) kube.Client[*gwv1.Gateway, *gwv1.GatewayList] {
	return a.g.Gateways(ns)
}

func (a gatewayAdapter) HTTPRoutes(ns string) kube.Client[*gwv1.HTTPRoute, *gwv1.HTTPRouteList] {
	return a.g.HTTPRoutes(ns)
}

func (a gatewayAdapter) GRPCRoutes(ns string) kube.Client[*gwv1.GRPCRoute, *gwv1.GRPCRouteList] {
	return a.g.GRPCRoutes(ns)
}

func (a gatewayAdapter) TLSRoutes(ns string) kube.Client[*gwv1.TLSRoute, *gwv1.TLSRouteList] {
	return a.g.TLSRoutes(ns)
}

func (a gatewayAdapter) TCPRoutes(ns string) kube.Client[*gwv1.TCPRoute, *gwv1.TCPRouteList] {
	return a.g.TCPRoutes(ns)
}

func (a gatewayAdapter) UDPRoutes(ns string) kube.Client[*gwv1.UDPRoute, *gwv1.UDPRouteList] {
	return a.g.UDPRoutes(ns)
}

func (a gatewayAdapter) ListenerSets(ns string) kube.Client[*gwv1.ListenerSet, *gwv1.ListenerSetList] {
	return a.g.ListenerSets(ns)
}
