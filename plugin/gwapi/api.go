package gwapi

import (
	"context"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apply"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// API is the Kubernetes Gateway API's side of every command (the seam
// package apis lists): Gateways of class istio and HTTPRoutes.
type API struct {
	c *kube.Clients
	// st is what ServiceRoutes read: url and proxy reach the Gateways
	// of those routes.
	st State
}

// New is the Gateway API's side for one command.
func New(c *kube.Clients) *API { return &API{c: c} }

// Name is the --api value.
func (*API) Name() string { return route.APIGateway }

// Title names the API in messages.
func (*API) Title() string { return "Kubernetes Gateway API" }

// RouteKind names the API's route objects in messages.
func (*API) RouteKind() string { return "HTTPRoute" }

// AddStores adds the writers of the kinds the tool writes.
func (a *API) AddStores(s apply.Stores) {
	if a.c.Gateway == nil {
		return
	}
	apply.AddStore(s, GatewaysResource, func(ns string) apply.TypedClient[*gwv1.Gateway] {
		return a.c.Gateway.Gateways(ns)
	})
	apply.AddStore(s, HTTPRoutesResource, func(ns string) apply.TypedClient[*gwv1.HTTPRoute] {
		return a.c.Gateway.HTTPRoutes(ns)
	})
}

// Exposer is the Gateway API's side of expose.
func (a *API) Exposer(in *route.ExposeInput) route.Exposer {
	return &gatewayExpose{in: in, c: a.c}
}

// ServiceRoutes are the routes to Service ns/name: the rules of the
// HTTPRoutes of ns with a backendRef to it, on the listeners they attach
// to (on Gateway gw only, when given: it must exist).
func (a *API) ServiceRoutes(ctx context.Context, ns, name string, gw *route.ObjectRef) ([]route.Route, error) {
	st, err := serviceGatewayState(ctx, a.c, ns, name, gw)
	if err != nil {
		return nil, err
	}
	if gw != nil {
		if _, err := ChooseGateway(st, ns, gw); err != nil {
			return nil, err
		}
	}
	a.st = st
	routes := ServiceRoutes(st, ns, name)
	if gw != nil {
		routes = route.OnGateway(routes, *gw)
	}
	return routes, nil
}

// Rows are the rows of list: the HTTPRoutes of ns (every namespace when
// ""), against the Gateways of every namespace (routes attach across)
// and the classes.
func (a *API) Rows(ctx context.Context, ns string) ([]route.RouteRow, error) {
	var st State
	var err error
	if st.Routes, err = ListHTTPRoutes(ctx, a.c)(ns); err != nil {
		return nil, kube.ExplainAPIError(err, "list", HTTPRoutesResource)
	}
	if st.Gateways, _, err = kube.ListWide(ctx, ns, GatewaysResource, ListGateways(ctx, a.c)); err != nil {
		return nil, err
	}
	st.Classes = gatewayClasses(ctx, a.c)
	return ListRoutes(st), nil
}

// AddToScheme adds the kinds the tool writes (for the printers).
var AddToScheme = gwv1.Install
