package proxy

import (
	"context"
	"reflect"
	"slices"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// routes reads the routes to SERVICE of the APIs to read (apis.Set's
// ForService, apis.Read); without SERVICE, it chooses the API (Choose),
// found with no routes. kinds names the route objects read, for "no
// routes".
func (o *ProxyOptions) routes(ctx context.Context, set *apis.Set) ([]apis.Found[route.Route], string, error) {
	c := o.clients
	choice := apis.Choice{Flag: o.API, Gateway: o.gatewayRef, Say: cli.Line(o.ErrOut)}
	if o.Service == "" {
		choice.IstioFlags = o.GatewaySelector != ""
		api, err := set.Choose(ctx, choice)
		if err != nil {
			return nil, "", err
		}
		return []apis.Found[route.Route]{{API: api}}, apis.RouteKinds([]apis.API{api}), nil
	}
	if _, err := kube.GetService(ctx, c.Kube, c.Namespace, o.Service, nil); err != nil {
		return nil, "", err
	}
	asked, err := set.ForService(ctx, choice)
	if err != nil {
		return nil, "", err
	}
	res, err := apis.ServiceRoutes(ctx, asked, "used", c.Namespace, o.Service, o.gatewayRef)
	if err != nil {
		return nil, "", err
	}
	cli.Warn(o.ErrOut, res.Warnings...)
	empty := !slices.ContainsFunc(res.Found, func(f apis.Found[route.Route]) bool { return len(f.Items) > 0 })
	if empty && res.Unserved != nil {
		return nil, "", res.Unserved // an API not served says so, as before --api
	}
	return res.Found, apis.RouteKinds(asked), nil
}

// apiOf is the API whose routes r is of.
func apiOf(found []apis.Found[route.Route], r route.Route) apis.API {
	for _, f := range found {
		if slices.ContainsFunc(f.Items, func(x route.Route) bool { return reflect.DeepEqual(x, r) }) {
			return f.API
		}
	}
	return found[0].API
}
