package istio

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// GatewayURLs is url without SERVICE for the Istio API: the gateway of
// --gateway-selector, --ingress-service/--ingress-namespace or --gateway,
// else the one --api auto found.
func (a *API) GatewayURLs(ctx context.Context, rep *route.URLReport, in route.URLInput) error {
	var ing *resolve.Ingress
	var err error
	if in.Selector != nil || in.IngressService != "" || in.IngressNamespace != "" || in.Gateway != nil {
		opts := in.IngressOptions()
		if in.Gateway != nil {
			if opts.Selector, err = a.gatewaySelector(ctx, *in.Gateway); err != nil {
				return err
			}
		}
		ing, err = resolve.FindIngress(ctx, a.c.Kube, opts)
	} else {
		ing, err = a.ingress.get()
	}
	if err != nil {
		return err
	}
	return a.gatewayPart(ctx, rep, ing, ing.Selector, in)
}

// gatewayPart fills the gateway part of rep from the gateway Service and
// pods ing, found by selector sel.
func (a *API) gatewayPart(ctx context.Context, rep *route.URLReport, ing *resolve.Ingress, sel map[string]string, in route.URLInput) error {
	rep.API, rep.Found = route.APIIstio, ing.Found()
	rep.Explain = func(rep *route.URLReport) string { return explain(rep, ing, sel) }
	svc := ing.Service
	rep.Ingress = &route.IngressInfo{Name: svc.Name, Namespace: svc.Namespace, Type: string(svc.Spec.Type), Reason: ing.Reason}
	if rep.Ingress.Type == "" {
		rep.Ingress.Type = "ClusterIP"
	}
	kube := a.c.Kube
	httpEps, err := resolve.Endpoints(ctx, kube, ing, resolve.RoleHTTP)
	var u *resolve.Unreachable
	if err != nil && (errors.As(err, &u) || !in.HTTPS) {
		return err
	}
	httpsEps, serr := resolve.Endpoints(ctx, kube, ing, resolve.RoleHTTPS)
	if serr != nil && (in.HTTPS || errors.As(serr, &u)) {
		return serr
	}
	tcpEps, _ := resolve.Endpoints(ctx, kube, ing, resolve.RoleTCP)
	add := func(role resolve.Role, eps []resolve.Endpoint) {
		for _, e := range eps {
			rep.Endpoints = append(rep.Endpoints, route.EndpointInfo{Role: role, URL: e.URL(), Host: e.Host, Port: e.Port, Source: e.Source, Node: e.Node})
			if role == resolve.RoleHTTPS || !in.HTTPS && role == resolve.RoleHTTP {
				rep.URLs = append(rep.URLs, e.URL())
			}
		}
	}
	add(resolve.RoleHTTP, httpEps)
	add(resolve.RoleHTTPS, httpsEps)
	add(resolve.RoleTCP, tcpEps)
	if len(httpEps) > 0 {
		rep.Host, rep.Port = httpEps[0].Host, httpEps[0].Port
		rep.GatewayURL = httpEps[0].HostPort()
	}
	if len(httpsEps) > 0 {
		rep.SecurePort = httpsEps[0].Port
		if rep.Host == "" {
			rep.Host = httpsEps[0].Host
		}
	}
	if len(tcpEps) > 0 {
		rep.TCPPort = tcpEps[0].Port
	}
	if ing.Warning != "" {
		rep.Warnings = append(rep.Warnings, ing.Warning)
	}
	if len(ing.Pods) == 0 || !resolve.PodReady(&ing.Pods[0]) {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("no Ready pod behind gateway Service %s/%s: requests may go unanswered", svc.Namespace, svc.Name))
	}
	return nil
}

// RouteURLs adds the URLs of routes (those ServiceRoutes found) to rep;
// the first gateway found fills its gateway part. lastErr is why the last route
// that could not be reached was left out.
func (a *API) RouteURLs(ctx context.Context, rep *route.URLReport, routes []route.Route, in route.URLInput) (lastErr, err error) {
	ingresses := map[string]*resolve.Ingress{}
	for _, r := range routes {
		if in.HTTPS && r.Scheme != "https" {
			continue
		}
		opts := in.IngressOptions()
		if opts.Service == "" {
			opts.Selector = r.Selector
		}
		k := labels.SelectorFromSet(opts.Selector).String()
		ing, ok := ingresses[k]
		if !ok {
			if ing, err = resolve.FindIngress(ctx, a.c.Kube, opts); err != nil {
				return nil, fmt.Errorf("gateway %s of VirtualService %s: %w", r.Gateway, r.VirtualService, err)
			}
			ingresses[k] = ing
			if rep.API == "" {
				if err := a.gatewayPart(ctx, rep, ing, opts.Selector, in); err != nil {
					return nil, err
				}
			}
		}
		port, ok := ing.PortForNumber(int32(r.ServerPort))
		if !ok {
			lastErr = fmt.Errorf("gateway Service %s/%s has no port %d (or targetPort %d) for the server of Gateway %s", ing.Service.Namespace, ing.Service.Name, r.ServerPort, r.ServerPort, r.Gateway)
			rep.Warnings = append(rep.Warnings, lastErr.Error())
			continue
		}
		eps, err := resolve.EndpointsForPort(ctx, a.c.Kube, ing, port, r.Scheme)
		if err != nil {
			lastErr = err
			rep.Warnings = append(rep.Warnings, err.Error())
			continue
		}
		rep.Routes = append(rep.Routes, route.RouteInfoOf(r, eps[0], workloadNamespace(ing)))
	}
	return lastErr, nil
}
