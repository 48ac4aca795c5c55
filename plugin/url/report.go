package url

import (
	"cmp"
	"context"
	"fmt"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// report finds where the gateway is reached (no SERVICE: of the API
// chosen), or the routes to SERVICE and where they are reached.
func (o *URLOptions) report(ctx context.Context, set *apis.Set) (*route.URLReport, error) {
	if o.Service != "" {
		return o.serviceReport(ctx, set)
	}
	choice := apis.Choice{Flag: o.API, Gateway: o.gatewayRef, Say: cli.Line(o.ErrOut),
		IstioFlags: o.GatewaySelector != "" || o.IngressService != "" || o.IngressNamespace != ""}
	if err := set.Neither(ctx, choice); err != nil {
		return nil, err
	}
	api, err := set.Choose(ctx, choice)
	if err != nil {
		return nil, err
	}
	rep := &route.URLReport{}
	return rep, api.GatewayURLs(ctx, rep, o.input())
}

// serviceReport finds the routes to SERVICE and the gateways serving
// them: of the API of --api, or with --api auto of every API (the Istio
// API's first; apis.Read says what an API not served or not readable
// leaves out).
func (o *URLOptions) serviceReport(ctx context.Context, set *apis.Set) (*route.URLReport, error) {
	ns, name := o.clients.Namespace, o.Service
	if _, err := kube.GetService(ctx, o.clients.Kube, ns, name, nil); err != nil {
		return nil, err
	}
	asked, err := set.ForService(ctx, apis.Choice{Flag: o.API, Gateway: o.gatewayRef, Say: cli.Line(o.ErrOut)})
	if err != nil {
		return nil, err
	}
	res, err := apis.Read(ctx, asked, "shown", func(ctx context.Context, api apis.API) ([]route.Route, bool, error) {
		routes, err := api.ServiceRoutes(ctx, ns, name, o.gatewayRef)
		return routes, len(routes) > 0, err
	})
	if err != nil {
		return nil, err
	}
	rep := &route.URLReport{Service: ns + "/" + name, Warnings: res.Warnings}
	var lastErr error
	for _, f := range res.Found {
		last, err := f.API.RouteURLs(ctx, rep, f.Items, o.input())
		if err != nil {
			return nil, err
		}
		lastErr = cmp.Or(lastErr, last)
	}
	if len(rep.Routes) == 0 {
		if err := cmp.Or(lastErr, res.Unserved); err != nil {
			return nil, err // an API not served says so, as before --api
		}
		what := "routes"
		if o.HTTPS {
			what = "HTTPS routes"
		}
		return nil, fmt.Errorf("no %s to service %s/%s: no %s in namespace %s routes to it through a Gateway%s (run `kubectl expose-gw %s` first)",
			what, ns, name, apis.RouteKinds(asked), ns, onGatewayText(o.gatewayRef), name)
	}
	return rep, nil
}

// input is what url asks of the APIs.
func (o *URLOptions) input() route.URLInput {
	return route.URLInput{HTTPS: o.HTTPS, Selector: o.selector, IngressService: o.IngressService, IngressNamespace: o.IngressNamespace, Gateway: o.gatewayRef}
}

// onGatewayText is " NS/NAME" (--gateway's) for "no routes".
func onGatewayText(gw *route.ObjectRef) string {
	if gw == nil {
		return ""
	}
	return " " + gw.String()
}
