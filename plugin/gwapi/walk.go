package gwapi

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/diagnose"
	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Explain walks in's request through a Gateway of class istio as Istio
// routes it: the Gateway's Service port, its listeners on that port (for
// https the one the SNI picks, and its certificate), the HTTPRoutes
// attached there in Istio's order, the first matching rule, its backend.
func (a *API) Explain(ctx context.Context, in *route.ExplainInput) (*route.Explanation, error) {
	st, _, err := gatewaysState(ctx, a.c, "", in.Gateway)
	if err != nil {
		return nil, err
	}
	g, err := ChooseGateway(st, a.c.Namespace, in.Gateway)
	if err != nil {
		return nil, err
	}
	ing, err := gatewayIngress(ctx, a.c, g.Namespace, g.Name)
	if err != nil {
		return nil, err
	}
	e := &route.Explanation{URL: in.URL, Shadowed: []route.ExplainShadowed{}}
	sp, err := diagnose.ServicePort(e, ing.Service, in, "the Gateway's Service")
	if err != nil {
		return nil, err
	}
	e.Gateway.TargetPort = sp.TargetPort.IntVal
	if e.Gateway.TargetPort == 0 {
		e.Gateway.TargetPort = sp.Port
	}
	e.Hop("Gateway %s/%s: Service %s/%s port %d%s -> pod port %d", g.Namespace, g.Name, ing.Service.Namespace, ing.Service.Name, sp.Port, diagnose.NodePortNote(e), e.Gateway.TargetPort)
	listeners, ok := a.listenersFor(ctx, e, g, in, sp.Port)
	if !ok {
		return e, nil
	}
	routes, err := ListHTTPRoutes(ctx, a.c)("")
	if err != nil {
		return nil, kube.ExplainAPIError(err, "list", HTTPRoutesResource)
	}
	vhs := a.table(ctx, g, listeners, routes)
	walker := diagnose.Walker{VirtualHosts: vhs, Resolve: diagnose.Lookup(ctx, a.c.Kube, 500), Why: whyFirst(routes)}
	walker.Walk(e, envoy.Request{Host: in.Authority, Method: in.Method, Path: in.Path, Query: in.Query, Header: in.Header, TLS: in.Scheme == "https"})
	return e, nil
}

// listenersFor are the listeners on port whose routes the request meets:
// every HTTP one for http (they share one route configuration), the one
// HTTPS listener the SNI picks for https.
func (a *API) listenersFor(ctx context.Context, e *route.Explanation, g *gwv1.Gateway, in *route.ExplainInput, port int32) ([]gwv1.Listener, bool) {
	var http, https []gwv1.Listener
	for _, l := range g.Spec.Listeners {
		if int32(l.Port) != port {
			continue
		}
		switch {
		case l.Protocol == gwv1.HTTPProtocolType:
			http = append(http, l)
		case l.Protocol == gwv1.HTTPSProtocolType && (l.TLS == nil || ptr.Deref(l.TLS.Mode, gwv1.TLSModeTerminate) == gwv1.TLSModeTerminate):
			https = append(https, l)
		}
	}
	fail := func(reason, fix string) ([]gwv1.Listener, bool) {
		e.Outcome, e.Reason, e.Fix = route.OutcomeNoServer, reason+": the connection fails", fix
		e.Hop("listener: %s", reason)
		return nil, false
	}
	if in.Scheme == "http" {
		if len(http) == 0 {
			return fail(fmt.Sprintf("Gateway %s/%s has no HTTP listener on port %d", g.Namespace, g.Name, port), listenerFix(g, https, "https"))
		}
		// They share one route configuration; name the one whose hostname
		// takes the Host, as for an SNI.
		named, ok := listenerBySNI(http, in.Host)
		if !ok {
			named = http[0]
		}
		a.setListener(e, g, named)
		e.Hop("listener %s (HTTP %d)", named.Name, port)
		return http, true
	}
	if len(https) == 0 {
		return fail(fmt.Sprintf("Gateway %s/%s has no HTTPS listener on port %d", g.Namespace, g.Name, port), listenerFix(g, http, "http"))
	}
	l, ok := listenerBySNI(https, in.Host)
	if !ok {
		return fail(fmt.Sprintf("no HTTPS listener of Gateway %s/%s on port %d takes SNI %q", g.Namespace, g.Name, port, in.Host), "listeners on this port take: "+hostnames(https))
	}
	a.setListener(e, g, l)
	e.Hop("listener %s (HTTPS %d), picked by SNI %q", l.Name, port, in.Host)
	var refs []gwv1.SecretObjectReference
	if l.TLS != nil {
		refs = l.TLS.CertificateRefs
	}
	for _, ref := range refs {
		ns := string(ptr.Deref(ref.Namespace, gwv1.Namespace(g.Namespace)))
		_, err := a.c.Kube.CoreV1().Secrets(ns).Get(ctx, string(ref.Name), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return fail(fmt.Sprintf("the certificate Secret %s/%s of listener %s does not exist: the TLS handshake fails", ns, ref.Name, l.Name),
				fmt.Sprintf("create Secret %s in namespace %s (kubectl -n %s create secret tls %s --cert=... --key=...)", ref.Name, ns, ns, ref.Name))
		}
	}
	return []gwv1.Listener{l}, true
}

func (a *API) setListener(e *route.Explanation, g *gwv1.Gateway, l gwv1.Listener) {
	e.Server = &route.ExplainServer{Kind: "Gateway", APIVersion: gwv1.GroupVersion.String(), Namespace: g.Namespace, Name: g.Name, Listener: string(l.Name)}
}

func listenerFix(g *gwv1.Gateway, others []gwv1.Listener, scheme string) string {
	if len(others) > 0 {
		return fmt.Sprintf("listener %s serves %s on this port: request %s://", others[0].Name, strings.ToUpper(scheme), scheme)
	}
	return fmt.Sprintf("add a listener on this port to Gateway %s/%s", g.Namespace, g.Name)
}

func hostnames(ls []gwv1.Listener) string {
	var hs []string
	for _, l := range ls {
		hs = append(hs, string(ptr.Deref(l.Hostname, "*")))
	}
	return strings.Join(hs, ", ")
}

// listenerBySNI is the listener whose filter chain Envoy picks for sni.
func listenerBySNI(ls []gwv1.Listener, sni string) (gwv1.Listener, bool) {
	chains := make([][]string, len(ls))
	for i, l := range ls {
		if h := string(ptr.Deref(l.Hostname, "")); h != "" {
			chains[i] = []string{h}
		}
	}
	if i := envoy.FilterChainFor(chains, sni); i >= 0 {
		return ls[i], true
	}
	return gwv1.Listener{}, false
}

// attached are the routes listener l of g takes: a parentRef picks it,
// the listener allows the route's kind and namespace, and Istio did not
// refuse the route there (its status says Accepted False).
func (a *API) attached(ctx context.Context, g *gwv1.Gateway, l gwv1.Listener, routes []*gwv1.HTTPRoute) []*gwv1.HTTPRoute {
	labels := map[string]map[string]string{}
	nsLabels := func(ns string) map[string]string {
		if l, ok := labels[ns]; ok {
			return l
		}
		n, err := a.c.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err == nil {
			labels[ns] = n.Labels
		} else {
			labels[ns] = nil
		}
		return labels[ns]
	}
	var out []*gwv1.HTTPRoute
	for _, r := range routes {
		for _, p := range r.Spec.ParentRefs {
			ref, ok := ParentGateway(p, r.Namespace)
			if !ok || ref != refOf(g) || !picks(p, l) || !kindAllowed(l.AllowedRoutes) || refused(r, p) {
				continue
			}
			var lbl map[string]string
			if selects(l.AllowedRoutes) {
				lbl = nsLabels(r.Namespace)
			}
			if namespaceAllowed(l.AllowedRoutes, g.Namespace, r.Namespace, lbl) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

func selects(ar *gwv1.AllowedRoutes) bool {
	return ar != nil && ar.Namespaces != nil && ptr.Deref(ar.Namespaces.From, gwv1.NamespacesFromSame) == gwv1.NamespacesFromSelector
}

// refused is whether Istio's status on r says it did not accept r for
// parentRef p.
func refused(r *gwv1.HTTPRoute, p gwv1.ParentReference) bool {
	for _, ps := range r.Status.Parents {
		if ps.ParentRef.Name != p.Name || ptr.Deref(ps.ParentRef.SectionName, "") != ptr.Deref(p.SectionName, "") ||
			ptr.Deref(ps.ParentRef.Namespace, "") != ptr.Deref(p.Namespace, "") || ps.ControllerName != ControllerName {
			continue
		}
		for _, c := range ps.Conditions {
			if c.Type == string(gwv1.RouteConditionAccepted) && c.Status == metav1.ConditionFalse {
				return true
			}
		}
	}
	return false
}

// whyFirst says why one HTTPRoute's rule comes before another's that also
// matches: the Gateway API's precedence, then the older route.
func whyFirst(routes []*gwv1.HTTPRoute) func(w, l envoy.Origin) string {
	at := map[string]metav1.Time{}
	for _, r := range routes {
		at[r.Namespace+"/"+r.Name] = r.CreationTimestamp
	}
	return func(w, l envoy.Origin) string {
		if w.Match != l.Match {
			return fmt.Sprintf("Gateway API precedence (exact, longer prefix, method, headers, query parameters, then the oldest route): %s comes before %s", w.Match, l.Match)
		}
		wt, lt := at[w.Namespace+"/"+w.Name], at[l.Namespace+"/"+l.Name]
		if wt.Equal(&lt) {
			return fmt.Sprintf("the same match, HTTPRoutes created in the same second: %s/%s comes first by namespace and name", w.Namespace, w.Name)
		}
		return fmt.Sprintf("the same match: HTTPRoute %s/%s is older (created %s), and the oldest wins", w.Namespace, w.Name, wt.UTC().Format("2006-01-02T15:04:05Z"))
	}
}
