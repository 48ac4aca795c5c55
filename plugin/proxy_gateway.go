package plugin

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// proxyRoutes are the routes proxy read, and what it read them with.
type proxyRoutes struct {
	routes []route.Route
	apis   []string
	st     gwapi.State // the Gateway API's, when read
	lookup *ingressLookup
}

// api is the API the proxy reaches: that of the first route of ph, else
// (no SERVICE) the one chosen.
func (rs proxyRoutes) api(ph proxyHost) string {
	if len(ph.Routes) > 0 {
		if ph.Routes[0].HTTPRoute != "" {
			return route.APIGateway
		}
		return route.APIIstio
	}
	return rs.apis[0]
}

// routes reads the routes to SERVICE of the APIs to read (serviceAPIs);
// without SERVICE, it chooses the API (apiChoice).
func (o *ProxyOptions) routes(ctx context.Context) (proxyRoutes, error) {
	c := o.clients
	var rs proxyRoutes
	if o.Service == "" {
		rs.lookup = newIngressLookup(ctx, c, nil)
		api, err := apiChoice{clients: c, flag: o.API, gateway: o.gatewayRef, selectorGiven: o.GatewaySelector != "",
			ingress: rs.lookup, errOut: o.ErrOut}.choose(ctx)
		rs.apis = []string{api}
		return rs, err
	}
	if _, err := kube.GetService(ctx, c.Kube, c.Namespace, o.Service, nil); err != nil {
		return rs, err
	}
	apis, err := serviceAPIs(ctx, c, o.API, o.gatewayRef, o.ErrOut)
	if err != nil {
		return rs, err
	}
	rs.apis = apis
	ar, err := readServiceRoutes(ctx, c, o.API, apis, c.Namespace, o.Service, o.gatewayRef)
	if err != nil {
		return rs, err
	}
	rs.st, rs.routes = ar.st, append(ar.istio, ar.gateway...)
	unserved := ar.unserved
	if len(rs.routes) == 0 && unserved != nil {
		return rs, unserved // an API not served says so, as before --api
	}
	return rs, nil
}

// reachIstio finds the Istio ingress gateway of the routes (or of
// --gateway-selector, --gateway, or the default) and reaches it.
func (o *ProxyOptions) reachIstio(ctx context.Context, ph proxyHost, lookup *ingressLookup) (*gateway, error) {
	c := o.clients
	opts := resolve.Options{}
	var serverPort uint32
	if len(ph.Routes) > 0 {
		opts.Selector, serverPort = ph.Routes[0].Selector, ph.Routes[0].ServerPort
	}
	var in *resolve.Ingress
	var err error
	switch {
	case o.selector != nil:
		opts.Selector = o.selector
	case len(ph.Routes) == 0 && o.gatewayRef != nil:
		if opts.Selector, err = istioGatewaySelector(ctx, c, *o.gatewayRef); err != nil {
			return nil, err
		}
	case len(ph.Routes) == 0 && lookup != nil:
		in, err = lookup.get() // what choosing the API found
	}
	if in == nil && err == nil {
		in, err = resolve.FindIngress(ctx, c.Kube, opts)
	}
	if err != nil {
		return nil, err
	}
	if found := in.Found(); found != "" {
		fmt.Fprintln(o.ErrOut, found)
	}
	if in.Warning != "" {
		cli.Warn(o.ErrOut, in.Warning)
	}
	if in.Reason != "" {
		fmt.Fprintf(o.ErrOut, "gateway Service %s/%s: %s\n", in.Service.Namespace, in.Service.Name, in.Reason)
	}
	port, err := o.gatewayPort(in, serverPort)
	if err != nil {
		return nil, err
	}
	return o.reachGateway(ctx, in, port)
}

// reachGatewayAPI reaches the Gateway of the first route of ph (ph's
// routes narrowed to that Gateway's), else (no SERVICE) --gateway's or
// the one ChooseGateway finds, on the listener's port: directly at its
// address, else by a port-forward to a Ready pod of the Gateway.
func (o *ProxyOptions) reachGatewayAPI(ctx context.Context, ph *proxyHost, rs proxyRoutes) (*gateway, error) {
	scheme := "http"
	if o.HTTPS {
		scheme = "https"
	}
	var g *gwv1.Gateway
	var port int32
	if len(ph.Routes) > 0 {
		first := ph.Routes[0]
		g, port = gatewayOf(rs.st, first), int32(first.ServerPort)
		var same []route.Route
		for _, r := range ph.Routes {
			if r.Gateway == first.Gateway && r.ServerPort == first.ServerPort {
				same = append(same, r)
			}
		}
		ph.Routes = same
	} else {
		st, err := gatewaysState(ctx, o.clients, o.clients.Namespace, o.gatewayRef)
		if err != nil {
			return nil, err
		}
		if g, err = gwapi.ChooseGateway(st, o.clients.Namespace, o.gatewayRef); err != nil {
			return nil, err
		}
		l := gwapi.Listener(g, scheme)
		if l == nil {
			return nil, fmt.Errorf("Gateway %s/%s has no %s listener: expected one of protocol %s", g.Namespace, g.Name, scheme, map[string]string{"http": "HTTP", "https": "HTTPS"}[scheme])
		}
		port = int32(l.Port)
	}
	t := newGatewayTarget(o.clients, g)
	if w := gwapi.Stale(g); w != "" {
		cli.Warn(o.ErrOut, w)
	}
	return o.reach(ctx, func(scheme string) ([]resolve.Endpoint, error) {
		eps, err := t.endpoints(ctx, port, scheme)
		var un *resolve.Unreachable
		if err != nil && !errors.As(err, &un) && o.Via == ViaAuto {
			// no Service to read (yet): a port-forward may still reach the pods
			return nil, &resolve.Unreachable{Reason: err.Error()}
		}
		return eps, err
	}, func() (*gateway, error) {
		sel, err := t.podSelector(ctx)
		if err != nil {
			return nil, err
		}
		// Istio's pods listen on the listener's port.
		return o.forwardPool(ctx, g.Namespace, sel, func(*corev1.Pod) (int32, error) { return port, nil })
	})
}
