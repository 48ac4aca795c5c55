package gwapi

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// What --api auto asks of the Gateway API (package apis decides).

// HasGateway is whether Gateway API Gateway ref exists.
func (a *API) HasGateway(ctx context.Context, ref route.ObjectRef) bool {
	_, err := a.c.Gateway.Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	return err == nil
}

// HasIstioGateway is whether a Gateway of Istio's class exists in any
// namespace; true also when that cannot be told (the Gateways may not be
// read, or only those of the current namespace): no error then claims
// there is none.
func (a *API) HasIstioGateway(ctx context.Context) bool {
	st, unknown, err := gatewaysState(ctx, a.c, a.c.Namespace, nil)
	if err != nil || unknown {
		return true
	}
	return slices.ContainsFunc(st.Gateways, st.IstioGateway)
}

// IstioClass is the name of a GatewayClass of Istio's controller ("" when
// there is none), or why it cannot be told (*MissingError: the cluster
// does not serve the Gateway API).
func (a *API) IstioClass(ctx context.Context) (string, error) {
	l, err := a.c.Gateway.GatewayClasses().List(ctx, metav1.ListOptions{})
	switch {
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
		return "", &MissingError{}
	case err != nil:
		return "", fmt.Errorf("cannot list GatewayClasses: %v", kube.ExplainAPIError(err, "list", "gatewayclasses.gateway.networking.k8s.io"))
	}
	names := []string{}
	for _, gc := range l.Items {
		if string(gc.Spec.ControllerName) == ControllerName {
			names = append(names, gc.Name)
		}
	}
	if len(names) == 0 {
		return "", nil
	}
	if slices.Contains(names, ClassName) {
		return ClassName, nil
	}
	slices.Sort(names)
	return names[0], nil
}

// Install is how the Gateway API docs install its CRDs.
const Install = "kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.3/standard-install.yaml"

// MissingError: the cluster does not serve the Gateway API.
type MissingError struct{}

func (*MissingError) Error() string {
	return "the Gateway API CRDs are not installed (" + Install + ")"
}
