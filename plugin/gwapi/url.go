package gwapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// GatewayURLs is url without SERVICE for the Gateway API: the Gateway
// of --gateway, else the namespace's expose-gw, else the only one of
// Istio.
func (a *API) GatewayURLs(ctx context.Context, rep *route.URLReport, in route.URLInput) error {
	st, _, err := gatewaysState(ctx, a.c, a.c.Namespace, in.Gateway)
	if err != nil {
		return err
	}
	g, err := ChooseGateway(st, a.c.Namespace, in.Gateway)
	if err != nil {
		return err
	}
	if w := Stale(g); w != "" {
		rep.Warnings = append(rep.Warnings, w)
	}
	return a.gatewayPart(ctx, rep, newGatewayTarget(a.c, g), in)
}

// gatewayPart fills the gateway part of rep from the Gateway of t:
// its http and https listeners (the ones so named, else the first of
// the protocol) at its address.
func (a *API) gatewayPart(ctx context.Context, rep *route.URLReport, t *gatewayTarget, in route.URLInput) error {
	g := t.g
	rep.API = route.APIGateway
	rep.Explain = func(rep *route.URLReport) string { return explain(rep, t.in) }
	rep.Gateway = &route.GatewayInfo{Name: g.Name, Namespace: g.Namespace, Class: string(g.Spec.GatewayClassName), Address: t.addr, Reason: t.why}
	for _, scheme := range []string{"http", "https"} {
		l := Listener(g, scheme)
		if l == nil || scheme == "http" && in.HTTPS {
			continue
		}
		eps, err := t.endpoints(ctx, int32(l.Port), scheme)
		if err != nil {
			return err
		}
		for _, e := range eps {
			rep.Endpoints = append(rep.Endpoints, route.EndpointInfo{Role: resolve.Role(scheme), URL: e.URL(), Host: e.Host, Port: e.Port, Source: e.Source, Node: e.Node})
			rep.URLs = append(rep.URLs, e.URL())
		}
		if rep.Host == "" {
			rep.Host = eps[0].Host
		}
		if scheme == "http" {
			rep.Gateway.HTTPListener, rep.Port, rep.GatewayURL = string(l.Name), eps[0].Port, eps[0].HostPort()
		} else {
			rep.Gateway.HTTPSListener, rep.SecurePort = string(l.Name), eps[0].Port
		}
	}
	if len(rep.Endpoints) == 0 {
		return fmt.Errorf("Gateway %s has no %s listener: expected one of protocol HTTP or HTTPS", t.ref(), schemes(in.HTTPS))
	}
	if ing := t.in; ing != nil {
		rep.Found = ing.Found()
		rep.Ingress = &route.IngressInfo{Name: ing.Service.Name, Namespace: ing.Service.Namespace, Type: string(ing.Service.Spec.Type)}
		if len(ing.Pods) == 0 || !resolve.PodReady(&ing.Pods[0]) {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("no Ready pod behind gateway Service %s/%s: requests may go unanswered", ing.Service.Namespace, ing.Service.Name))
		}
	}
	return nil
}

func schemes(https bool) string {
	if https {
		return "HTTPS"
	}
	return "HTTP or HTTPS"
}

// RouteURLs adds the URLs of routes (those ServiceRoutes found) to rep;
// the first Gateway fills its gateway part unless another API's routes
// did. lastErr is why the last route that could not be reached was left
// out.
func (a *API) RouteURLs(ctx context.Context, rep *route.URLReport, routes []route.Route, in route.URLInput) (lastErr, err error) {
	targets := map[string]*gatewayTarget{}
	for _, r := range routes {
		if in.HTTPS && r.Scheme != "https" {
			continue
		}
		t, ok := targets[r.Gateway]
		if !ok {
			t = newGatewayTarget(a.c, gatewayOf(a.st, r))
			targets[r.Gateway] = t
			if w := Stale(t.g); w != "" {
				rep.Warnings = append(rep.Warnings, w)
			}
		}
		eps, err := t.endpoints(ctx, int32(r.ServerPort), r.Scheme)
		if err != nil {
			lastErr = fmt.Errorf("HTTPRoute %s on Gateway %s: %w", r.HTTPRoute, r.Gateway, err)
			rep.Warnings = append(rep.Warnings, lastErr.Error())
			continue
		}
		if rep.API == "" {
			if err := a.gatewayPart(ctx, rep, t, in); err != nil {
				return nil, err
			}
		}
		rep.Routes = append(rep.Routes, route.RouteInfoOf(r, eps[0], gatewayNS(r)))
	}
	var u *resolve.Unreachable
	if errors.As(lastErr, &u) && len(rep.Routes) == 0 {
		return u, nil // the usual one-line advice: use proxy
	}
	return lastErr, nil
}

// gatewayOf is the Gateway a route names, in st.
func gatewayOf(st State, r route.Route) *gwv1.Gateway {
	ref, _ := route.ParseGatewayRef(r.Gateway, "")
	return st.Gateway(ref)
}

// gatewayNS is the namespace of r's Gateway, where Istio reads its
// listeners' certificateRefs.
func gatewayNS(r route.Route) string {
	ns, _, _ := strings.Cut(r.Gateway, "/")
	return ns
}
