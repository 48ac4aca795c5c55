package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// serviceAPIs are the APIs whose routes to a SERVICE url and proxy read:
// the one of --api; with auto both, the Istio API's first, unless
// --gateway names a Gateway of one of them (apiChoice).
func serviceAPIs(ctx context.Context, c *Clients, flag string, gw *model.ObjectRef, errOut io.Writer) ([]string, error) {
	switch {
	case flag != apiAuto:
		return []string{flag}, nil
	case gw == nil:
		return []string{model.APIIstio, model.APIGateway}, nil
	}
	api, err := apiChoice{clients: c, flag: flag, gateway: gw, ingress: newIngressLookup(ctx, c, nil), errOut: errOut}.choose(ctx)
	if err != nil {
		return nil, err
	}
	return []string{api}, nil
}

// istioGatewaySelector is the workload selector of the Istio API Gateway
// ref (--gateway with the Istio API).
func istioGatewaySelector(ctx context.Context, c *Clients, ref model.ObjectRef) (map[string]string, error) {
	g, err := c.Istio.NetworkingV1().Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err) && !isMissingCRD(err, istioGatewaysResource):
		return nil, fmt.Errorf("invalid --gateway %q: expected an existing Istio Gateway (kubectl get gateways.networking.istio.io -n %s)", ref.String(), ref.Namespace)
	case err != nil:
		return nil, ExplainAPIError(err, "get", istioGatewaysResource)
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
func neitherGateway(ctx context.Context, c *Clients, choice apiChoice) error {
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

const istioGatewaysResource = "gateways.networking.istio.io"

// routeObjects names the objects searched for routes, for "no routes".
func routeObjects(apis []string) string { return "no " + routeKinds(apis) }

// routeKinds are the kinds of route objects of apis.
func routeKinds(apis []string) string {
	switch {
	case len(apis) == 2:
		return "VirtualService or HTTPRoute"
	case len(apis) == 1 && apis[0] == model.APIGateway:
		return "HTTPRoute"
	}
	return "VirtualService"
}

// onGatewayText is " (on --gateway's)" for "no routes".
func onGatewayText(gw *model.ObjectRef) string {
	if gw == nil {
		return ""
	}
	return " " + gw.String()
}
