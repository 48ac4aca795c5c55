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

// The Istio API's lists, paged (kube.Paged), decoded by decode.go with
// the tool's clientset.

// ListGateways lists the Gateways of a namespace ("": all).
func ListGateways(ctx context.Context, c *kube.Clients) func(ns string) ([]*networkingv1.Gateway, error) {
	return func(ns string) ([]*networkingv1.Gateway, error) {
		return kube.Paged(ctx, func(o metav1.ListOptions) (*networkingv1.GatewayList, error) {
			if rl, ok := c.Istio.NetworkingV1().(rawLister); ok {
				b, err := listRaw(ctx, rl.RESTClient(), "gateways", ns, o)
				if err != nil {
					return nil, err
				}
				return decodeGateways(b)
			}
			return c.Istio.NetworkingV1().Gateways(ns).List(ctx, o)
		}, func(l *networkingv1.GatewayList) []*networkingv1.Gateway { return l.Items })
	}
}

// ListVirtualServices lists the VirtualServices of a namespace ("": all).
func ListVirtualServices(ctx context.Context, c *kube.Clients) func(ns string) ([]*networkingv1.VirtualService, error) {
	return func(ns string) ([]*networkingv1.VirtualService, error) {
		return kube.Paged(ctx, func(o metav1.ListOptions) (*networkingv1.VirtualServiceList, error) {
			if rl, ok := c.Istio.NetworkingV1().(rawLister); ok {
				b, err := listRaw(ctx, rl.RESTClient(), "virtualservices", ns, o)
				if err != nil {
					return nil, err
				}
				return decodeVirtualServices(b)
			}
			return c.Istio.NetworkingV1().VirtualServices(ns).List(ctx, o)
		}, func(l *networkingv1.VirtualServiceList) []*networkingv1.VirtualService { return l.Items })
	}
}
