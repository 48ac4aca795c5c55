package istio

import (
	"context"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apply"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// API is the Istio API's side of every command (the seam package apis
// lists): Gateways selecting the ingress gateway's pods and
// VirtualServices.
type API struct {
	ctx context.Context
	c   *kube.Clients
	// ingress finds the ingress gateway of the default selector once:
	// --api auto's choice, expose, url and proxy share it, so choosing
	// costs no request in the Istio world.
	ingress *ingressLookup
}

// New is the Istio API's side for one command; its look-ups run in ctx.
func New(ctx context.Context, c *kube.Clients) *API {
	return &API{ctx: ctx, c: c, ingress: newIngressLookup(ctx, c, nil)}
}

// Close waits for the default look-up when it was started, rather than
// cut its requests short (client-go logs those).
func (a *API) Close() {
	if a.ingress.started.Load() {
		a.ingress.result()
	}
}

// Name is the --api value.
func (*API) Name() string { return route.APIIstio }

// Title names the API in messages.
func (*API) Title() string { return "Istio API" }

// RouteKind names the API's route objects in messages.
func (*API) RouteKind() string { return "VirtualService" }

// AddStores adds the writers of the kinds the tool writes.
func (a *API) AddStores(s apply.Stores) {
	ist := a.c.Istio
	apply.AddStore(s, GatewaysResource, func(ns string) apply.TypedClient[*networkingv1.Gateway] {
		return ist.NetworkingV1().Gateways(ns)
	})
	apply.AddStore(s, VirtualServicesResource, func(ns string) apply.TypedClient[*networkingv1.VirtualService] {
		return ist.NetworkingV1().VirtualServices(ns)
	})
}

// Rows are the rows of list: the VirtualServices of ns (every namespace
// when ""), against the Gateways of every namespace (a VirtualService
// may bind one elsewhere), or the namespace's when that is forbidden.
func (a *API) Rows(ctx context.Context, ns string) ([]route.RouteRow, error) {
	vss, err := ListVirtualServices(ctx, a.c)(ns)
	if err != nil {
		return nil, kube.ExplainAPIError(err, "list", VirtualServicesResource)
	}
	gws, _, err := kube.ListWide(ctx, ns, GatewaysResource, ListGateways(ctx, a.c))
	if err != nil {
		return nil, err
	}
	return ListRoutes(gws, vss), nil
}

// AddToScheme adds the kinds the tool writes (for the printers).
var AddToScheme = networkingv1.AddToScheme
