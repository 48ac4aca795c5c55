package gwapi

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apinet "istio.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/diagnose"
	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// Lint reports what keeps the HTTPRoutes of in's scope from working on
// the Gateways of class istio: Istio's refusals (status), rules no request
// reaches, backends without ready endpoints, missing certificates.
func (a *API) Lint(ctx context.Context, in *route.LintInput) ([]route.Finding, error) {
	st, _, err := gatewaysState(ctx, a.c, "", nil)
	if err != nil {
		return nil, err
	}
	routes, err := ListHTTPRoutes(ctx, a.c)("")
	if err != nil {
		return nil, kube.ExplainAPIError(err, "list", HTTPRoutesResource)
	}
	var out []route.Finding
	var tables [][]envoy.VirtualHost
	for _, g := range st.Gateways {
		if !st.istioGateway(g) {
			continue
		}
		out = append(out, a.lintListeners(ctx, g, in)...)
		tables = append(tables, a.gatewayTables(ctx, g, routes)...)
	}
	reach := diagnose.Reachability(tables...)
	seen := map[string]bool{} // routes with a rule in some virtual host
	for k := range reach {
		seen[k.Namespace+"/"+k.Name] = true
	}
	lookup, err := diagnose.Catalog(ctx, a.c.Kube, 500)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(routes, func(x, y *gwv1.HTTPRoute) int { return strings.Compare(x.Namespace+"/"+x.Name, y.Namespace+"/"+y.Name) })
	for _, r := range routes {
		if !in.InScope(r.Namespace, func(h string) bool { return routeHasHost(r, h) }) {
			continue
		}
		accepted, resolved := lintStatus(r, &out)
		if !accepted {
			continue // refused by Istio: said above
		}
		if !seen[r.Namespace+"/"+r.Name] {
			if onIstioGateway(r, st) {
				out = append(out, route.Finding{Code: route.CodeUnreachable, Kind: "HTTPRoute", Namespace: r.Namespace, Name: r.Name,
					Message: "none of its rules is served: the listeners it attaches to take none of its hostnames (a more specific listener of the same port takes them: listener isolation)",
					Fix:     "attach it to the listener of its hostnames (sectionName), or change its hostnames"})
			}
			continue
		}
		for i, rule := range r.Spec.Rules {
			i := i
			rc := reach[diagnose.RuleKey{Kind: "HTTPRoute", Namespace: r.Namespace, Name: r.Name, Rule: i}]
			switch {
			case rc == nil:
				out = append(out, route.Finding{Code: route.CodeUnreachable, Kind: "HTTPRoute", Namespace: r.Namespace, Name: r.Name, Rule: &i,
					Message: fmt.Sprintf("rule %d is never reached: a catch-all rule (PathPrefix /) of its host sorts before it (Gateway API precedence puts every prefix before a regex) and Istio drops what follows it", i),
					Fix:     "match the rule with a path prefix or exact path, or drop the catch-all"})
			case !rc.Reachable:
				o := rc.By
				out = append(out, route.Finding{Code: route.CodeUnreachable, Kind: "HTTPRoute", Namespace: r.Namespace, Name: r.Name, Rule: &i,
					Message:  fmt.Sprintf("rule %d is never reached on host %s: %s %s/%s rule %d (%s) takes all its requests first (Gateway API precedence, then the oldest route)", i, rc.Host, o.Kind, o.Namespace, o.Name, o.Rule, o.Match),
					Involves: []string{o.Kind + " " + o.Namespace + "/" + o.Name},
					Fix:      "give the rule a more specific match, or its own hostname"})
			}
			for _, b := range rule.BackendRefs {
				ns := string(ptr.Deref(b.Namespace, gwv1.Namespace(r.Namespace)))
				t := lookup(envoy.Backend{Host: rules.ServiceFQDN(string(b.Name), ns), Port: uint32(ptr.Deref(b.Port, 0))})
				switch {
				case t.Problem != "" && resolved:
					out = append(out, route.Finding{Code: route.CodeNotFound, Kind: "HTTPRoute", Namespace: r.Namespace, Name: r.Name, Rule: &i,
						Message: fmt.Sprintf("rule %d sends to %s/%s: %s: the gateway answers %d", i, ns, b.Name, t.Problem, t.Status), Fix: t.Fix})
				case t.Problem == "" && t.Ready == 0:
					out = append(out, route.Finding{Code: route.CodeNoEndpoints, Kind: "HTTPRoute", Namespace: r.Namespace, Name: r.Name, Rule: &i,
						Message: fmt.Sprintf("rule %d sends to Service %s/%s port %d, which has no ready endpoints: the gateway answers 503", i, ns, b.Name, t.Port),
						Fix:     "check the Service's selector and its pods' readiness"})
				}
			}
		}
	}
	return out, nil
}

func routeHasHost(r *gwv1.HTTPRoute, h string) bool {
	if len(r.Spec.Hostnames) == 0 {
		return true
	}
	return slices.ContainsFunc(r.Spec.Hostnames, func(x gwv1.Hostname) bool { return rules.HostsOverlap(string(x), h) })
}

// lintStatus quotes Istio's refusals of r from its status, and says
// whether some parent accepted it and whether its references resolved.
func lintStatus(r *gwv1.HTTPRoute, out *[]route.Finding) (accepted, resolved bool) {
	resolved = true
	for _, ps := range r.Status.Parents {
		if ps.ControllerName != ControllerName {
			continue
		}
		parent := string(ptr.Deref(ps.ParentRef.Namespace, gwv1.Namespace(r.Namespace))) + "/" + string(ps.ParentRef.Name)
		if sn := ptr.Deref(ps.ParentRef.SectionName, ""); sn != "" {
			parent += " listener " + string(sn)
		}
		for _, c := range ps.Conditions {
			switch {
			case c.Type == string(gwv1.RouteConditionAccepted) && c.Status == metav1.ConditionTrue:
				accepted = true
			case c.Type == string(gwv1.RouteConditionAccepted) && c.Status == metav1.ConditionFalse:
				*out = append(*out, route.Finding{Code: route.CodeRouteNotAccepted, Kind: "HTTPRoute", Namespace: r.Namespace, Name: r.Name,
					Message:  fmt.Sprintf("Istio did not accept it on Gateway %s: %s: %s", parent, c.Reason, c.Message),
					Involves: []string{"Gateway " + parent}, Fix: "kubectl get httproute " + r.Name + " -n " + r.Namespace + " -o yaml shows status.parents"})
			case c.Type == string(gwv1.RouteConditionResolvedRefs) && c.Status == metav1.ConditionFalse:
				resolved = false
				*out = append(*out, route.Finding{Code: route.CodeRefsNotResolved, Kind: "HTTPRoute", Namespace: r.Namespace, Name: r.Name,
					Message:  fmt.Sprintf("Istio could not resolve its references on Gateway %s: %s: %s", parent, c.Reason, c.Message),
					Involves: []string{"Gateway " + parent}, Fix: "create the backend Service (or a ReferenceGrant for another namespace's), or fix the backendRef"})
			}
		}
	}
	if len(r.Status.Parents) == 0 {
		accepted = true // no word from Istio yet: judge it by its spec
	}
	return accepted, resolved
}

// lintListeners reports HTTPS listeners of g in scope whose certificate
// Secret is missing.
func (a *API) lintListeners(ctx context.Context, g *gwv1.Gateway, in *route.LintInput) []route.Finding {
	var out []route.Finding
	for _, l := range g.Spec.Listeners {
		if !in.InScope(g.Namespace, func(h string) bool { return HostnamesIntersect(l.Hostname, h) }) || l.TLS == nil {
			continue
		}
		for _, ref := range l.TLS.CertificateRefs {
			ns := string(ptr.Deref(ref.Namespace, gwv1.Namespace(g.Namespace)))
			if _, err := a.c.Kube.CoreV1().Secrets(ns).Get(ctx, string(ref.Name), metav1.GetOptions{}); apierrors.IsNotFound(err) {
				out = append(out, route.Finding{Code: route.CodeInvalidCredential, Kind: "Gateway", Namespace: g.Namespace, Name: g.Name,
					Message:  fmt.Sprintf("listener %s's certificate Secret %s/%s does not exist: the TLS handshake fails", l.Name, ns, ref.Name),
					Involves: []string{"Secret " + ns + "/" + string(ref.Name)},
					Fix:      fmt.Sprintf("kubectl -n %s create secret tls %s --cert=... --key=...", ns, ref.Name)})
			}
		}
	}
	return out
}

// gatewayTables are the virtual hosts Istio builds for g: its HTTP
// listeners per port, each HTTPS listener.
func (a *API) gatewayTables(ctx context.Context, g *gwv1.Gateway, routes []*gwv1.HTTPRoute) [][]envoy.VirtualHost {
	groups := map[string][]gwv1.Listener{}
	var keys []string
	for _, l := range g.Spec.Listeners {
		if l.Protocol != gwv1.HTTPProtocolType && l.Protocol != gwv1.HTTPSProtocolType {
			continue
		}
		k := serverKey(l)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], l)
	}
	var out [][]envoy.VirtualHost
	for _, k := range keys {
		out = append(out, a.table(ctx, g, groups[k], routes))
	}
	return out
}

// table is the virtual hosts of one route configuration: listeners (one
// HTTPS listener, or the HTTP listeners of a port) of g.
func (a *API) table(ctx context.Context, g *gwv1.Gateway, listeners []gwv1.Listener, routes []*gwv1.HTTPRoute) []envoy.VirtualHost {
	c := &converted{origin: map[*apinet.HTTPRoute]envoy.Origin{}}
	listeners = slices.Clone(listeners)
	slices.SortStableFunc(listeners, func(a, b gwv1.Listener) int { return strings.Compare(string(a.Name), string(b.Name)) })
	var servers []rules.Server
	for _, l := range listeners {
		convertListener(g, l, a.attached(ctx, g, l, routes), c)
		host := "*"
		if l.Hostname != nil && *l.Hostname != "" {
			host = strings.ToLower(string(*l.Hostname))
		}
		servers = append(servers, rules.Server{Gateway: listenerRef(g, l), Hosts: []string{host}, Port: uint32(l.Port), TLS: l.Protocol == gwv1.HTTPSProtocolType})
	}
	return rules.BuildVirtualHosts(servers, c.vss, rules.Workload{Namespace: g.Namespace}, c.semantics())
}

// onIstioGateway is whether r names a Gateway of class istio among its
// parents.
func onIstioGateway(r *gwv1.HTTPRoute, st State) bool {
	for _, p := range r.Spec.ParentRefs {
		if ref, ok := ParentGateway(p, r.Namespace); ok {
			if g := st.gateway(ref); g != nil && st.istioGateway(g) {
				return true
			}
		}
	}
	return false
}
