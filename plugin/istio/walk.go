package istio

import (
	"context"
	"fmt"
	"slices"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/expose-gw/kubectl-expose-gw/plugin/diagnose"
	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// listenerServer is one server of a Gateway that a listener of the gateway
// workload carries.
type listenerServer struct {
	gw    *networkingv1.Gateway
	index int
	srv   *apinet.Server
}

func (s listenerServer) ref() rules.ObjectRef {
	return rules.ObjectRef{Namespace: s.gw.Namespace, Name: s.gw.Name}
}

// Explain walks in's request through the ingress gateway as Istio would
// route it: the Service port, the listener, the servers on it, the merged
// virtual host, the first matching rule, its backend.
func (a *API) Explain(ctx context.Context, in *route.ExplainInput) (*route.Explanation, error) {
	sel := in.Selector
	if in.Gateway != nil {
		g, err := a.c.Istio.NetworkingV1().Gateways(in.Gateway.Namespace).Get(ctx, in.Gateway.Name, getOptions)
		if err != nil {
			return nil, fmt.Errorf("--gateway %s: %w", in.Gateway, err)
		}
		sel = g.Spec.Selector
	}
	ing, err := resolve.FindIngress(ctx, a.c.Kube, resolve.Options{Selector: sel})
	if err != nil {
		return nil, err
	}
	e := &route.Explanation{URL: in.URL, Shadowed: []route.ExplainShadowed{}}
	sp, err := diagnose.ServicePort(e, ing.Service, in, "the gateway Service")
	if err != nil {
		return nil, err
	}
	target := targetPort(sp, ing.Pods)
	e.Gateway.TargetPort = target
	e.Hop("gateway Service %s/%s port %d%s -> pod port %d", ing.Service.Namespace, ing.Service.Name, sp.Port, diagnose.NodePortNote(e), target)
	gws, err := ListGateways(ctx, a.c)("")
	if err != nil {
		return nil, err
	}
	vss, err := ListVirtualServices(ctx, a.c)("")
	if err != nil {
		return nil, err
	}
	wl, wlNS := workload(ing)
	servers := listenerServers(gws, ing.Service, ing.Pods, wl, target)
	w := walk{e: e, in: in, servers: servers, vss: vss, wl: wl, wlNS: wlNS}
	chosen, ok := w.serversFor()
	if !ok {
		return e, nil
	}
	if !a.credentialOK(ctx, e, chosen, wlNS) {
		return e, nil
	}
	vhs := rules.BuildVirtualHosts(ruleServers(chosen), vss, rules.Workload{Labels: wl, Namespace: wlNS}, rules.Semantics{})
	walker := diagnose.Walker{VirtualHosts: vhs, Resolve: diagnose.Lookup(ctx, a.c.Kube, 503), Why: whyFirst(vss, wlNS)}
	walker.Walk(e, envoy.Request{Host: in.Authority, Method: in.Method, Path: in.Path, Query: in.Query, Header: in.Header, TLS: in.Scheme == "https"})
	return e, nil
}

// targetPort is the pod port a Service port sends to (a named target
// port looked up in the gateway pods' containers).
func targetPort(sp corev1.ServicePort, pods []corev1.Pod) int32 {
	if sp.TargetPort.IntValue() != 0 {
		return int32(sp.TargetPort.IntValue())
	}
	if sp.TargetPort.StrVal != "" {
		for _, p := range pods {
			for _, c := range p.Spec.Containers {
				for _, cp := range c.Ports {
					if cp.Name == sp.TargetPort.StrVal {
						return cp.ContainerPort
					}
				}
			}
		}
	}
	return sp.Port
}

// workload is the gateway pods' labels and namespace.
func workload(ing *resolve.Ingress) (map[string]string, string) {
	if len(ing.Pods) > 0 {
		return ing.Pods[0].Labels, ing.Pods[0].Namespace
	}
	return ing.Service.Spec.Selector, ing.Service.Namespace
}

// listenerServers are the servers of the Gateways selecting the workload
// that Envoy listens for on pod port target, the Gateways oldest first:
// pilot puts a server on the target port of the gateway Service port of
// its number, or on its number when the Service has no such port.
func listenerServers(gws []*networkingv1.Gateway, svc *corev1.Service, pods []corev1.Pod, wl map[string]string, target int32) []listenerServer {
	gws = slices.Clone(gws)
	rules.SortByCreation(gws)
	var out []listenerServer
	for _, g := range gws {
		if len(g.Spec.Selector) > 0 && !labels.SelectorFromSet(g.Spec.Selector).Matches(labels.Set(wl)) {
			continue
		}
		for i, s := range g.Spec.Servers {
			n := int32(s.GetPort().GetNumber())
			at := n
			for _, p := range svc.Spec.Ports {
				if p.Port == n {
					at = targetPort(p, pods)
				}
			}
			if at == target {
				out = append(out, listenerServer{gw: g, index: i, srv: s})
			}
		}
	}
	return out
}

// ruleServers are the servers as the shared virtual host builder reads them.
func ruleServers(ss []listenerServer) []rules.Server {
	out := make([]rules.Server, len(ss))
	for i, s := range ss {
		out[i] = rules.Server{Gateway: s.ref(), Hosts: s.srv.Hosts, Port: s.srv.GetPort().GetNumber(), TLS: rules.ServerScheme(s.srv) == "https", HTTPSRedirect: s.srv.GetTls().GetHttpsRedirect()}
	}
	return out
}
