package plugin

import (
	"context"
	"fmt"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// serviceRoutes reads what istio.ServiceRoutes needs for Service ns/name:
// one VirtualService list in ns and one Get per Gateway its routes bind.
func serviceRoutes(ctx context.Context, ist kube.Istio, ns, name string) ([]route.Route, error) {
	l, err := ist.NetworkingV1().VirtualServices(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing VirtualServices in namespace %s: %w", ns, err)
	}
	vss := make([]*networkingv1.VirtualService, len(l.Items))
	for i := range l.Items {
		vss[i] = l.Items[i]
	}
	gws := map[route.ObjectRef]*networkingv1.Gateway{}
	for _, ref := range istio.RouteGateways(vss, ns, name) {
		g, err := ist.NetworkingV1().Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			// a dangling reference routes nothing
		case err != nil:
			return nil, fmt.Errorf("getting Gateway %s: %w", ref, err)
		default:
			gws[ref] = g
		}
	}
	return istio.ServiceRoutes(vss, gws, ns, name), nil
}
