package plugin

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// URLReport is everything `url` found; `-o json` prints it.
type URLReport struct {
	// API is the API of the gateway part: istio or gateway-api.
	API string `json:"api"`
	// Ingress is the gateway Service (with the Gateway API: the one Istio
	// deployed for the Gateway, when it was read).
	Ingress *IngressInfo `json:"ingress,omitempty"`
	// Gateway is the Gateway API Gateway, with the Gateway API.
	Gateway *GatewayInfo `json:"gateway,omitempty"`
	// Host, Port, SecurePort, TCPPort and GatewayURL are INGRESS_HOST,
	// INGRESS_PORT, SECURE_INGRESS_PORT, TCP_INGRESS_PORT and GATEWAY_URL.
	Host       string         `json:"host"`
	Port       int32          `json:"port,omitempty"`
	SecurePort int32          `json:"securePort,omitempty"`
	TCPPort    int32          `json:"tcpPort,omitempty"`
	GatewayURL string         `json:"gatewayURL,omitempty"`
	URLs       []string       `json:"urls"`
	Endpoints  []EndpointInfo `json:"endpoints"`
	Service    string         `json:"service,omitempty"` // namespace/name with SERVICE
	Routes     []RouteInfo    `json:"routes,omitempty"`
	Warnings   []string       `json:"warnings,omitempty"`

	in       *resolve.Ingress
	selector map[string]string // the selector searched, for --explain
	target   *gatewayTarget    // the Gateway API Gateway, for --explain
}

// IngressInfo names the gateway Service chosen.
type IngressInfo struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Type      string `json:"type"`
	Reason    string `json:"reason,omitempty"`
}

// EndpointInfo is one address of the gateway for one port role.
type EndpointInfo struct {
	Role   resolve.Role `json:"role"`
	URL    string       `json:"url"`
	Host   string       `json:"host"`
	Port   int32        `json:"port"`
	Source string       `json:"source"`
	Node   string       `json:"node,omitempty"`
}

// RouteInfo is one URL of SERVICE.
type RouteInfo struct {
	URL            string `json:"url"`
	HostHeader     string `json:"hostHeader,omitempty"`
	Curl           string `json:"curl"`
	VirtualService string `json:"virtualService,omitempty"`
	HTTPRoute      string `json:"httpRoute,omitempty"`
	Gateway        string `json:"gateway"`
	Listener       string `json:"listener,omitempty"`
}

func (o *URLOptions) report(ctx context.Context) (*URLReport, error) {
	if o.Service != "" {
		return o.serviceReport(ctx)
	}
	lookup := newIngressLookup(ctx, o.clients, nil)
	choice := apiChoice{clients: o.clients, flag: o.API, gateway: o.gatewayRef, ingress: lookup, errOut: o.ErrOut,
		selectorGiven: o.GatewaySelector != "" || o.IngressService != "" || o.IngressNamespace != ""}
	if err := neitherGateway(ctx, o.clients, choice); err != nil {
		return nil, err
	}
	api, err := choice.choose(ctx)
	if err != nil {
		return nil, err
	}
	if api == route.APIGateway {
		return o.gatewayAPIReport(ctx)
	}
	var in *resolve.Ingress
	if choice.selectorGiven || o.gatewayRef != nil {
		opts := o.options()
		if o.gatewayRef != nil {
			if opts.Selector, err = istioGatewaySelector(ctx, o.clients, *o.gatewayRef); err != nil {
				return nil, err
			}
		}
		in, err = resolve.FindIngress(ctx, o.clients.Kube, opts)
	} else {
		in, err = lookup.get()
	}
	if err != nil {
		return nil, err
	}
	rep := &URLReport{selector: in.Selector}
	return rep, o.gateway(ctx, rep, in)
}

// gateway fills the gateway part of rep from in.
func (o *URLOptions) gateway(ctx context.Context, rep *URLReport, in *resolve.Ingress) error {
	rep.in, rep.API = in, route.APIIstio
	svc := in.Service
	rep.Ingress = &IngressInfo{Name: svc.Name, Namespace: svc.Namespace, Type: string(svc.Spec.Type), Reason: in.Reason}
	if rep.Ingress.Type == "" {
		rep.Ingress.Type = "ClusterIP"
	}
	kube := o.clients.Kube
	httpEps, err := resolve.Endpoints(ctx, kube, in, resolve.RoleHTTP)
	var u *resolve.Unreachable
	if err != nil && (errors.As(err, &u) || !o.HTTPS) {
		return err
	}
	httpsEps, serr := resolve.Endpoints(ctx, kube, in, resolve.RoleHTTPS)
	if serr != nil && (o.HTTPS || errors.As(serr, &u)) {
		return serr
	}
	tcpEps, _ := resolve.Endpoints(ctx, kube, in, resolve.RoleTCP)
	add := func(role resolve.Role, eps []resolve.Endpoint) {
		for _, e := range eps {
			rep.Endpoints = append(rep.Endpoints, EndpointInfo{Role: role, URL: e.URL(), Host: e.Host, Port: e.Port, Source: e.Source, Node: e.Node})
			if role == resolve.RoleHTTPS || !o.HTTPS && role == resolve.RoleHTTP {
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
	if in.Warning != "" {
		rep.Warnings = append(rep.Warnings, in.Warning)
	}
	if len(in.Pods) == 0 || !resolve.PodReady(&in.Pods[0]) {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("no Ready pod behind gateway Service %s/%s: requests may go unanswered", svc.Namespace, svc.Name))
	}
	return nil
}

// serviceReport finds the routes to SERVICE and the gateways serving
// them: of the Istio API, the Gateway API, or with --api auto both (the
// Istio API's first; an API the cluster does not serve has none).
func (o *URLOptions) serviceReport(ctx context.Context) (*URLReport, error) {
	ns, name := o.clients.Namespace, o.Service
	if _, err := kube.GetService(ctx, o.clients.Kube, ns, name, nil); err != nil {
		return nil, err
	}
	apis, err := serviceAPIs(ctx, o.clients, o.API, o.gatewayRef, o.ErrOut)
	if err != nil {
		return nil, err
	}
	rep := &URLReport{Service: ns + "/" + name}
	ar, err := readServiceRoutes(ctx, o.clients, o.API, apis, ns, name, o.gatewayRef)
	if err != nil {
		return nil, err
	}
	lastErr, err := o.istioRoutes(ctx, rep, ar.istio)
	if err != nil {
		return nil, err
	}
	gerr, err := o.gatewayRoutes(ctx, rep, ar.st, ar.gateway)
	if err != nil {
		return nil, err
	}
	lastErr, unserved := cmp.Or(lastErr, gerr), ar.unserved
	if len(rep.Routes) == 0 {
		if err := cmp.Or(lastErr, unserved); err != nil {
			return nil, err // an API not served says so, as before --api
		}
		what := "routes"
		if o.HTTPS {
			what = "HTTPS routes"
		}
		return nil, fmt.Errorf("no %s to service %s/%s: %s in namespace %s routes to it through a Gateway%s (run `kubectl expose-gw %s` first)", what, ns, name, routeObjects(apis), ns, onGatewayText(o.gatewayRef), name)
	}
	return rep, nil
}

// istioRoutes adds the URLs of the Istio API's routes to rep; the first
// gateway found fills its gateway part. lastErr is why the last route
// that could not be reached was left out.
func (o *URLOptions) istioRoutes(ctx context.Context, rep *URLReport, routes []route.Route) (lastErr, err error) {
	ingresses := map[string]*resolve.Ingress{}
	for _, r := range routes {
		if o.HTTPS && r.Scheme != "https" {
			continue
		}
		opts := o.options()
		if opts.Service == "" {
			opts.Selector = r.Selector
		}
		k := labels.SelectorFromSet(opts.Selector).String()
		in, ok := ingresses[k]
		if !ok {
			if in, err = resolve.FindIngress(ctx, o.clients.Kube, opts); err != nil {
				return nil, fmt.Errorf("gateway %s of VirtualService %s: %w", r.Gateway, r.VirtualService, err)
			}
			ingresses[k] = in
			if rep.API == "" {
				rep.selector = opts.Selector
				if err := o.gateway(ctx, rep, in); err != nil {
					return nil, err
				}
			}
		}
		port, ok := in.PortForNumber(int32(r.ServerPort))
		if !ok {
			lastErr = fmt.Errorf("gateway Service %s/%s has no port %d (or targetPort %d) for the server of Gateway %s", in.Service.Namespace, in.Service.Name, r.ServerPort, r.ServerPort, r.Gateway)
			rep.Warnings = append(rep.Warnings, lastErr.Error())
			continue
		}
		eps, err := resolve.EndpointsForPort(ctx, o.clients.Kube, in, port, r.Scheme)
		if err != nil {
			lastErr = err
			rep.Warnings = append(rep.Warnings, err.Error())
			continue
		}
		rep.Routes = append(rep.Routes, routeInfo(r, eps[0]))
	}
	return lastErr, nil
}

// routeInfo is the URL, Host header and curl command of a route.
func routeInfo(r route.Route, ep resolve.Endpoint) RouteInfo {
	ri := RouteInfo{VirtualService: r.VirtualService, HTTPRoute: r.HTTPRoute, Gateway: r.Gateway, Listener: r.Listener, HostHeader: rules.HostHeader(r.Host)}
	ri.URL = ep.URL() + r.Path
	ri.Curl = resolve.Curl(ep, ri.HostHeader, r.Path)
	return ri
}
