package istio

import (
	"context"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// Resource names as kubectl spells them, for messages.
const (
	GatewaysResource        = "gateways.networking.istio.io"
	VirtualServicesResource = "virtualservices.networking.istio.io"
)

// The Istio API's lists, paged (kube.Paged).

func ListGateways(ctx context.Context, c *kube.Clients) func(ns string) ([]*networkingv1.Gateway, error) {
	return func(ns string) ([]*networkingv1.Gateway, error) {
		return kube.Paged(func(o metav1.ListOptions) (*networkingv1.GatewayList, error) {
			return c.Istio.NetworkingV1().Gateways(ns).List(ctx, o)
		}, func(l *networkingv1.GatewayList) []*networkingv1.Gateway { return l.Items })
	}
}

func ListVirtualServices(ctx context.Context, c *kube.Clients) func(ns string) ([]*networkingv1.VirtualService, error) {
	return func(ns string) ([]*networkingv1.VirtualService, error) {
		return kube.Paged(func(o metav1.ListOptions) (*networkingv1.VirtualServiceList, error) {
			return c.Istio.NetworkingV1().VirtualServices(ns).List(ctx, o)
		}, func(l *networkingv1.VirtualServiceList) []*networkingv1.VirtualService { return l.Items })
	}
}
