package plugin

import (
	"context"
	"errors"
	"fmt"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// GatewayInfo is the Gateway API Gateway url reports on.
type GatewayInfo struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Class     string `json:"class"`
	// Address is status.addresses[0]; Reason why it is not used, when
	// it is not (pending, or only the in-cluster Service name).
	Address string `json:"address,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// HTTPListener and HTTPSListener name the listeners of INGRESS_PORT
	// and SECURE_INGRESS_PORT.
	HTTPListener  string `json:"httpListener,omitempty"`
	HTTPSListener string `json:"httpsListener,omitempty"`
}

// gatewayAPIReport is url without SERVICE for the Gateway API: the
// Gateway of --gateway, else the namespace's expose-gw, else the only one
// of Istio.
func (o *URLOptions) gatewayAPIReport(ctx context.Context) (*URLReport, error) {
	st, err := gatewaysState(ctx, o.clients, o.clients.Namespace, o.gatewayRef)
	if err != nil {
		return nil, err
	}
	g, err := gwapi.ChooseGateway(st, o.clients.Namespace, o.gatewayRef)
	if err != nil {
		return nil, err
	}
	rep := &URLReport{}
	if w := gwapi.Stale(g); w != "" {
		rep.Warnings = append(rep.Warnings, w)
	}
	return rep, o.gatewayAPIPart(ctx, rep, newGatewayTarget(o.clients, g))
}

// gatewayAPIPart fills the gateway part of rep from the Gateway of t:
// its http and https listeners (the ones so named, else the first of
// the protocol) at its address.
func (o *URLOptions) gatewayAPIPart(ctx context.Context, rep *URLReport, t *gatewayTarget) error {
	g := t.g
	rep.API, rep.target = route.APIGateway, t
	rep.Gateway = &GatewayInfo{Name: g.Name, Namespace: g.Namespace, Class: string(g.Spec.GatewayClassName), Address: t.addr, Reason: t.why}
	for _, scheme := range []string{"http", "https"} {
		l := gwapi.Listener(g, scheme)
		if l == nil || scheme == "http" && o.HTTPS {
			continue
		}
		eps, err := t.endpoints(ctx, int32(l.Port), scheme)
		if err != nil {
			return err
		}
		for _, e := range eps {
			rep.Endpoints = append(rep.Endpoints, EndpointInfo{Role: resolve.Role(scheme), URL: e.URL(), Host: e.Host, Port: e.Port, Source: e.Source, Node: e.Node})
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
		return fmt.Errorf("Gateway %s has no %s listener: expected one of protocol HTTP or HTTPS", t.ref(), schemes(o.HTTPS))
	}
	if in := t.in; in != nil {
		rep.in = in
		rep.Ingress = &IngressInfo{Name: in.Service.Name, Namespace: in.Service.Namespace, Type: string(in.Service.Spec.Type)}
		if len(in.Pods) == 0 || !resolve.PodReady(&in.Pods[0]) {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("no Ready pod behind gateway Service %s/%s: requests may go unanswered", in.Service.Namespace, in.Service.Name))
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

// gatewayRoutes adds the URLs of the Gateway API's routes (found in st)
// to rep; the first Gateway fills its gateway part
// unless the Istio API's routes did. lastErr is why the last route that
// could not be reached was left out.
func (o *URLOptions) gatewayRoutes(ctx context.Context, rep *URLReport, st gwapi.State, routes []route.Route) (lastErr, err error) {
	targets := map[string]*gatewayTarget{}
	for _, r := range routes {
		if o.HTTPS && r.Scheme != "https" {
			continue
		}
		t, ok := targets[r.Gateway]
		if !ok {
			t = newGatewayTarget(o.clients, gatewayOf(st, r))
			targets[r.Gateway] = t
			if w := gwapi.Stale(t.g); w != "" {
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
			if err := o.gatewayAPIPart(ctx, rep, t); err != nil {
				return nil, err
			}
		}
		rep.Routes = append(rep.Routes, routeInfo(r, eps[0]))
	}
	var u *resolve.Unreachable
	if errors.As(lastErr, &u) && len(rep.Routes) == 0 {
		return u, nil // the usual one-line advice: use proxy
	}
	return lastErr, nil
}

// onGateway are the routes through Gateway ref.
func onGateway(routes []route.Route, ref route.ObjectRef) []route.Route {
	var out []route.Route
	for _, r := range routes {
		if r.Gateway == ref.String() {
			out = append(out, r)
		}
	}
	return out
}

// gatewayOf is the Gateway a route names, in st.
func gatewayOf(st gwapi.State, r route.Route) *gwv1.Gateway {
	ref, _ := route.ParseGatewayRef(r.Gateway, "")
	return st.Gateway(ref)
}
