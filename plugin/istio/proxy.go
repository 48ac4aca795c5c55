package istio

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// Reach is how proxy reaches the ingress gateway of routes (read by
// ServiceRoutes: the first one's Gateway selector and server port), or
// of --gateway-selector, --gateway, or the one --api auto found: at an
// outside address of the gateway Service's port, else by a port-forward
// to the pods it selects.
func (a *API) Reach(ctx context.Context, routes []route.Route, in route.ProxyInput) (*route.Reach, error) {
	opts := resolve.Options{}
	var serverPort uint32
	if len(routes) > 0 {
		opts.Selector, serverPort = routes[0].Selector, routes[0].ServerPort
	}
	var ing *resolve.Ingress
	var err error
	switch {
	case in.Selector != nil:
		opts.Selector = in.Selector
	case len(routes) == 0 && in.Gateway != nil:
		opts.Selector, err = a.gatewaySelector(ctx, *in.Gateway)
	case len(routes) == 0 && in.Service == "":
		ing, err = a.ingress.get() // what choosing the API found
	}
	if ing == nil && err == nil {
		ing, err = resolve.FindIngress(ctx, a.c.Kube, opts)
	}
	if err != nil {
		return nil, err
	}
	r := &route.Reach{Routes: routes}
	if found := ing.Found(); found != "" {
		r.Notes = append(r.Notes, route.Note{Text: found})
	}
	if ing.Warning != "" {
		r.Notes = append(r.Notes, route.Note{Text: ing.Warning, Warning: true})
	}
	if ing.Reason != "" {
		r.Notes = append(r.Notes, route.Note{Text: fmt.Sprintf("gateway Service %s/%s: %s", ing.Service.Namespace, ing.Service.Name, ing.Reason)})
	}
	port, err := gatewayPort(ing, serverPort, in.HTTPS)
	if err != nil {
		return nil, err
	}
	r.ServicePort, r.CredentialNamespace = port.Port, workloadNamespace(ing)
	r.Endpoints = func(ctx context.Context, scheme string) ([]resolve.Endpoint, error) {
		return resolve.EndpointsForPort(ctx, a.c.Kube, ing, port, scheme)
	}
	r.Forward = func(context.Context) (string, string, func(*corev1.Pod) (int32, error), error) {
		svc := ing.Service
		if len(svc.Spec.Selector) == 0 {
			return "", "", nil, fmt.Errorf("gateway Service %s/%s has no selector: no pod to port-forward to", svc.Namespace, svc.Name)
		}
		return svc.Namespace, labels.SelectorFromSet(svc.Spec.Selector).String(), containerPort(port), nil
	}
	return r, nil
}

// containerPort resolves the Service port's targetPort on a pod: a number,
// a container port name, or the Service port when unset.
func containerPort(sp *corev1.ServicePort) func(*corev1.Pod) (int32, error) {
	return func(pod *corev1.Pod) (int32, error) {
		tp := sp.TargetPort
		switch {
		case tp.Type == intstr.String && tp.StrVal != "":
			for _, c := range pod.Spec.Containers {
				for _, p := range c.Ports {
					if p.Name == tp.StrVal {
						return p.ContainerPort, nil
					}
				}
			}
			return 0, fmt.Errorf("pod %s has no container port named %q (targetPort of gateway port %s)", pod.Name, tp.StrVal, sp.Name)
		case tp.IntVal != 0:
			return tp.IntVal, nil
		default:
			return sp.Port, nil
		}
	}
}

// gatewayPort is the gateway Service port of the route's Gateway server,
// else the port of the role (http2/http, or https).
func gatewayPort(in *resolve.Ingress, serverPort uint32, https bool) (*corev1.ServicePort, error) {
	if serverPort != 0 {
		if p, ok := in.PortForNumber(int32(serverPort)); ok {
			return p, nil
		}
	}
	role := resolve.RoleHTTP
	if https {
		role = resolve.RoleHTTPS
	}
	p, ok := in.Port(role)
	if !ok {
		return nil, fmt.Errorf("gateway Service %s/%s has no %s port (expected a port named %v)",
			in.Service.Namespace, in.Service.Name, role, resolve.PortNames(role))
	}
	return p, nil
}
