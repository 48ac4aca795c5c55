package gwapi

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// The Gateway API's lists, paged (kube.Paged).

func ListGateways(ctx context.Context, c *kube.Clients) func(ns string) ([]*gwv1.Gateway, error) {
	return func(ns string) ([]*gwv1.Gateway, error) {
		return kube.Paged(ctx, func(o metav1.ListOptions) (*gwv1.GatewayList, error) {
			return c.Gateway.Gateways(ns).List(ctx, o)
		}, func(l *gwv1.GatewayList) []*gwv1.Gateway { return kube.Pointers(l.Items) })
	}
}

func ListHTTPRoutes(ctx context.Context, c *kube.Clients) func(ns string) ([]*gwv1.HTTPRoute, error) {
	return func(ns string) ([]*gwv1.HTTPRoute, error) {
		return kube.Paged(ctx, func(o metav1.ListOptions) (*gwv1.HTTPRouteList, error) {
			return c.Gateway.HTTPRoutes(ns).List(ctx, o)
		}, func(l *gwv1.HTTPRouteList) []*gwv1.HTTPRoute { return kube.Pointers(l.Items) })
	}
}
