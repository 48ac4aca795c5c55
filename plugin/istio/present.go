package istio

import (
	"context"
	"errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// What --api auto asks of the Istio API (package apis decides).

// HasGateway is whether Istio Gateway ref exists.
func (a *API) HasGateway(ctx context.Context, ref route.ObjectRef) bool {
	_, err := a.c.Istio.NetworkingV1().Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	return err == nil
}

// NoGateway is why there is no Istio ingress gateway: no pod matches the
// default selector, nor is there one ingress gateway running. nil when
// there is one, or when that cannot be told (the Istio API's world,
// unchanged).
func (a *API) NoGateway() *resolve.NoGatewayError {
	_, err := a.ingress.pods()
	var none *resolve.NoGatewayError
	if errors.As(err, &none) {
		return none
	}
	return nil
}
