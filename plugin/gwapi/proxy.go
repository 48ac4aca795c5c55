package gwapi

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// Reach is how proxy reaches the Gateway of the first of routes (read by
// ServiceRoutes; the routes narrowed to that Gateway's and port), else
// (no SERVICE) --gateway's or the one ChooseGateway finds, on the
// listener's port: directly at its address, else by a port-forward to a
// Ready pod of the Gateway.
func (a *API) Reach(ctx context.Context, routes []route.Route, in route.ProxyInput) (*route.Reach, error) {
	scheme := "http"
	if in.HTTPS {
		scheme = "https"
	}
	r := &route.Reach{}
	var g *gwv1.Gateway
	var port int32
	if len(routes) > 0 {
		first := routes[0]
		g, port = gatewayOf(a.st, first), int32(first.ServerPort)
		if g == nil {
			// routes read with another ServiceRoutes call than the last
			// (url --check, proxy --all): read its Gateway again
			ref, err := route.ParseGatewayRef(first.Gateway, "")
			if err != nil {
				return nil, err
			}
			if g, err = a.c.Gateway.Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{}); err != nil {
				return nil, kube.ExplainAPIError(err, "get", GatewaysResource)
			}
		}
		for _, x := range routes {
			if x.Gateway == first.Gateway && x.ServerPort == first.ServerPort {
				r.Routes = append(r.Routes, x)
			}
		}
	} else {
		st, _, err := gatewaysState(ctx, a.c, a.c.Namespace, in.Gateway)
		if err != nil {
			return nil, err
		}
		if g, err = ChooseGateway(st, a.c.Namespace, in.Gateway); err != nil {
			return nil, err
		}
		l := Listener(g, scheme)
		if l == nil {
			return nil, fmt.Errorf("Gateway %s/%s has no %s listener: expected one of protocol %s", g.Namespace, g.Name, scheme, map[string]string{"http": "HTTP", "https": "HTTPS"}[scheme])
		}
		port = int32(l.Port)
	}
	t := newGatewayTarget(a.c, g)
	if w := Stale(g); w != "" {
		r.Notes = append(r.Notes, route.Note{Text: w, Warning: true})
	}
	r.ServicePort = port // Istio's Service for a Gateway has the listener's port
	r.CredentialNamespace = g.Namespace
	r.Endpoints = func(ctx context.Context, scheme string) ([]resolve.Endpoint, error) {
		eps, err := t.endpoints(ctx, port, scheme)
		var un *resolve.Unreachable
		if err != nil && !errors.As(err, &un) && in.ViaAuto {
			// no Service to read (yet): a port-forward may still reach the pods
			return nil, &resolve.Unreachable{Reason: err.Error()}
		}
		return eps, err
	}
	r.Forward = func(ctx context.Context) (string, string, func(*corev1.Pod) (int32, error), error) {
		sel, err := t.podSelector(ctx)
		// Istio's pods listen on the listener's port.
		return g.Namespace, sel, func(*corev1.Pod) (int32, error) { return port, nil }, err
	}
	return r, nil
}
