package plugin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// serviceAPIs are the APIs whose routes to a SERVICE url and proxy read:
// the one of --api; with auto both, the Istio API's first, unless
// --gateway names a Gateway of one of them (apiChoice).
func serviceAPIs(ctx context.Context, c *kube.Clients, flag string, gw *route.ObjectRef, errOut io.Writer) ([]string, error) {
	switch {
	case flag != apiAuto:
		return []string{flag}, nil
	case gw == nil:
		return []string{route.APIIstio, route.APIGateway}, nil
	}
	api, err := apiChoice{clients: c, flag: flag, gateway: gw, ingress: newIngressLookup(ctx, c, nil), errOut: errOut}.choose(ctx)
	if err != nil {
		return nil, err
	}
	return []string{api}, nil
}

// istioGatewaySelector is the workload selector of the Istio API Gateway
// ref (--gateway with the Istio API).
func istioGatewaySelector(ctx context.Context, c *kube.Clients, ref route.ObjectRef) (map[string]string, error) {
	g, err := c.Istio.NetworkingV1().Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err) && !kube.IsMissingCRD(err, istio.GatewaysResource):
		return nil, fmt.Errorf("invalid --gateway %q: expected an existing Istio Gateway (kubectl get gateways.networking.istio.io -n %s)", ref.String(), ref.Namespace)
	case err != nil:
		return nil, kube.ExplainAPIError(err, "get", istio.GatewaysResource)
	}
	if len(g.Spec.Selector) == 0 {
		return nil, fmt.Errorf("invalid --gateway %q: Istio Gateway %s has no selector: expected one naming its gateway pods", ref.String(), ref)
	}
	return g.Spec.Selector, nil
}

// neitherGateway is, for --api auto without --gateway or an Istio flag,
// the one error naming both APIs when there are no Istio ingress gateway
// pods and, although Istio's GatewayClass exists, no Gateway of Istio:
// nothing to reach with either API. nil otherwise (choose decides).
func neitherGateway(ctx context.Context, c *kube.Clients, choice apiChoice) error {
	if choice.flag != apiAuto || choice.gateway != nil || choice.selectorGiven {
		return nil
	}
	_, err := choice.ingress.pods()
	var none *resolve.NoGatewayError
	if !errors.As(err, &none) {
		return nil
	}
	if class, err := istioClass(ctx, c); err != nil || class == "" {
		return nil
	}
	st, err := gatewaysState(ctx, c, c.Namespace, nil)
	if err != nil {
		return nil
	}
	for _, g := range st.Gateways {
		if st.IstioGateway(g) {
			return nil
		}
	}
	return fmt.Errorf("%w; nor is there a Gateway of class %s for the Gateway API (create one with `kubectl expose-gw SERVICE`)", none, gwapi.ClassName)
}

// routeObjects names the objects searched for routes, for "no routes".
func routeObjects(apis []string) string { return "no " + routeKinds(apis) }

// routeKinds are the kinds of route objects of apis.
func routeKinds(apis []string) string {
	switch {
	case len(apis) == 2:
		return "VirtualService or HTTPRoute"
	case len(apis) == 1 && apis[0] == route.APIGateway:
		return "HTTPRoute"
	}
	return "VirtualService"
}

// onGatewayText is " (on --gateway's)" for "no routes".
func onGatewayText(gw *route.ObjectRef) string {
	if gw == nil {
		return ""
	}
	return " " + gw.String()
}

// apiRoutes are the routes to a Service in each API url and proxy read.
type apiRoutes struct {
	istio, gateway []route.Route
	st             gwapi.State // the Gateway API's objects the routes were found in
	// unserved is why an API --api auto read has no routes: the cluster
	// does not serve it.
	unserved error
}

// readServiceRoutes reads the routes to Service ns/name in each of apis
// (on Gateway gw only, when given, which must exist): the Istio API's
// first. With --api auto (flag), an API the cluster does not serve has
// none.
func readServiceRoutes(ctx context.Context, c *kube.Clients, flag string, apis []string, ns, name string, gw *route.ObjectRef) (apiRoutes, error) {
	var ar apiRoutes
	if slices.Contains(apis, route.APIIstio) {
		routes, err := serviceRoutes(ctx, c.Istio, ns, name)
		err = kube.ExplainAPIError(err, "list", istio.VirtualServicesResource)
		switch {
		case err != nil && !(flag == apiAuto && kube.NotServed(err)):
			return ar, err
		case err != nil:
			ar.unserved = err
		default:
			if gw != nil {
				if _, err := istioGatewaySelector(ctx, c, *gw); err != nil {
					return ar, err
				}
				routes = onGateway(routes, *gw)
			}
			ar.istio = routes
		}
	}
	if slices.Contains(apis, route.APIGateway) {
		st, err := serviceGatewayState(ctx, c, ns, name, gw)
		switch {
		case err != nil && !(flag == apiAuto && kube.NotServed(err)):
			return ar, err
		case err != nil:
			ar.unserved = cmp.Or(ar.unserved, err)
		default:
			if gw != nil {
				if _, err := gwapi.ChooseGateway(st, ns, gw); err != nil {
					return ar, err
				}
			}
			ar.st = st
			ar.gateway = gwapi.ServiceRoutes(st, ns, name)
			if gw != nil {
				ar.gateway = onGateway(ar.gateway, *gw)
			}
		}
	}
	return ar, nil
}
