package istio

import (
	"context"
	"fmt"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// serviceRoutes reads what ServiceRoutes needs for Service ns/name:
// one VirtualService list in ns and one Get per Gateway its routes bind.
func serviceRoutes(ctx context.Context, c *kube.Clients, ns, name string) ([]route.Route, error) {
	vss, err := ListVirtualServices(ctx, c)(ns)
	if err != nil {
		return nil, fmt.Errorf("listing VirtualServices in namespace %s: %w", ns, err)
	}
	ist := c.Istio
	gws := map[route.ObjectRef]*networkingv1.Gateway{}
	for _, ref := range RouteGateways(vss, ns, name) {
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
	return ServiceRoutes(vss, gws, ns, name), nil
}

// ServiceRoutes are the routes to Service ns/name: the HTTP routes of the
// VirtualServices of ns sending to it, on the Gateway servers they bind
// (on Gateway gw only, when given: it must exist).
func (a *API) ServiceRoutes(ctx context.Context, ns, name string, gw *route.ObjectRef) ([]route.Route, error) {
	routes, err := serviceRoutes(ctx, a.c, ns, name)
	if err != nil {
		return nil, kube.ExplainAPIError(err, "list", VirtualServicesResource)
	}
	if gw == nil {
		return routes, nil
	}
	if _, err := a.gatewaySelector(ctx, *gw); err != nil {
		return nil, err
	}
	return route.OnGateway(routes, *gw), nil
}

// gatewaySelector is the workload selector of Istio Gateway ref (--gateway
// with the Istio API).
func (a *API) gatewaySelector(ctx context.Context, ref route.ObjectRef) (map[string]string, error) {
	g, err := a.c.Istio.NetworkingV1().Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err) && !kube.IsMissingCRD(err, GatewaysResource):
		return nil, fmt.Errorf("invalid --gateway %q: expected an existing Istio Gateway (kubectl get gateways.networking.istio.io -n %s)", ref.String(), ref.Namespace)
	case err != nil:
		return nil, kube.ExplainAPIError(err, "get", GatewaysResource)
	}
	if len(g.Spec.Selector) == 0 {
		return nil, fmt.Errorf("invalid --gateway %q: Istio Gateway %s has no selector: expected one naming its gateway pods", ref.String(), ref)
	}
	return g.Spec.Selector, nil
}
