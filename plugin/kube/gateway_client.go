package kube

import (
	"net/http"

	"k8s.io/client-go/rest"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// GatewayV1 is the part of the Gateway API's GatewayV1Interface the tool uses.
type GatewayV1 interface {
	GatewayClasses() Client[*gwv1.GatewayClass, *gwv1.GatewayClassList]
	Gateways(namespace string) Client[*gwv1.Gateway, *gwv1.GatewayList]
	HTTPRoutes(namespace string) Client[*gwv1.HTTPRoute, *gwv1.HTTPRouteList]
	// The other kinds that attach to a Gateway: delete reads them before
	// it deletes one of the tool's Gateways.
	GRPCRoutes(namespace string) Client[*gwv1.GRPCRoute, *gwv1.GRPCRouteList]
	TLSRoutes(namespace string) Client[*gwv1.TLSRoute, *gwv1.TLSRouteList]
	TCPRoutes(namespace string) Client[*gwv1.TCPRoute, *gwv1.TCPRouteList]
	UDPRoutes(namespace string) Client[*gwv1.UDPRoute, *gwv1.UDPRouteList]
	ListenerSets(namespace string) Client[*gwv1.ListenerSet, *gwv1.ListenerSetList]
}

// newGateway is the Gateway API client of NewForConfig:
// gateway.networking.k8s.io/v1 over cfg and hc.
func newGateway(cfg *rest.Config, hc *http.Client) (GatewayV1, error) {
	c, err := restClient(cfg, hc, gwv1.SchemeGroupVersion, "/apis")
	if err != nil {
		return nil, err
	}
	return gatewayClient{c}, nil
}

type gatewayClient struct{ rest rest.Interface }

func (g gatewayClient) GatewayClasses() Client[*gwv1.GatewayClass, *gwv1.GatewayClassList] {
	return newClient[gwv1.GatewayClass, gwv1.GatewayClassList](g.rest, "gatewayclasses", "", false)
}

func (g gatewayClient) Gateways(ns string) Client[*gwv1.Gateway, *gwv1.GatewayList] {
	return newClient[gwv1.Gateway, gwv1.GatewayList](g.rest, "gateways", ns, false)
}

func (g gatewayClient) HTTPRoutes(ns string) Client[*gwv1.HTTPRoute, *gwv1.HTTPRouteList] {
	return newClient[gwv1.HTTPRoute, gwv1.HTTPRouteList](g.rest, "httproutes", ns, false)
}

func (g gatewayClient) GRPCRoutes(ns string) Client[*gwv1.GRPCRoute, *gwv1.GRPCRouteList] {
	return newClient[gwv1.GRPCRoute, gwv1.GRPCRouteList](g.rest, "grpcroutes", ns, false)
}

func (g gatewayClient) TLSRoutes(ns string) Client[*gwv1.TLSRoute, *gwv1.TLSRouteList] {
	return newClient[gwv1.TLSRoute, gwv1.TLSRouteList](g.rest, "tlsroutes", ns, false)
}

func (g gatewayClient) TCPRoutes(ns string) Client[*gwv1.TCPRoute, *gwv1.TCPRouteList] {
	return newClient[gwv1.TCPRoute, gwv1.TCPRouteList](g.rest, "tcproutes", ns, false)
}

func (g gatewayClient) UDPRoutes(ns string) Client[*gwv1.UDPRoute, *gwv1.UDPRouteList] {
	return newClient[gwv1.UDPRoute, gwv1.UDPRouteList](g.rest, "udproutes", ns, false)
}

func (g gatewayClient) ListenerSets(ns string) Client[*gwv1.ListenerSet, *gwv1.ListenerSetList] {
	return newClient[gwv1.ListenerSet, gwv1.ListenerSetList](g.rest, "listenersets", ns, false)
}
