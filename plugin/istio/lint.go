package istio

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/expose-gw/kubectl-expose-gw/plugin/diagnose"
	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// Lint reports what keeps the routes of in's scope from working, over
// every Gateway and VirtualService of the cluster as Istio merges them for
// the ingress gateway: Gateways' selectors, ports and certificates;
// VirtualServices' Gateways, hosts and visibility; rules no request
// reaches; destinations that do not exist or have no ready endpoints.
func (a *API) Lint(ctx context.Context, in *route.LintInput) ([]route.Finding, error) {
	gws, err := ListGateways(ctx, a.c)("")
	if err != nil {
		return nil, err
	}
	vss, err := ListVirtualServices(ctx, a.c)("")
	if err != nil {
		return nil, err
	}
	ing, err := resolve.FindIngress(ctx, a.c.Kube, resolve.Options{Selector: in.Selector})
	var none *resolve.NoGatewayError
	switch {
	case errors.As(err, &none):
		// No ingress gateway pods: every Gateway in scope is served by none.
		l := &linter{a: a, ctx: ctx, in: in, gws: gws}
		l.gateways()
		return l.out, nil
	case err != nil:
		return nil, err
	}
	wl, wlNS := workload(ing)
	l := &linter{a: a, ctx: ctx, in: in, ing: ing, wl: wl, wlNS: wlNS, gws: gws, vss: vss}
	l.gateways()
	l.sharedCertificates()
	if err := l.virtualServices(); err != nil {
		return nil, err
	}
	return l.out, nil
}

type linter struct {
	a    *API
	ctx  context.Context
	in   *route.LintInput
	ing  *resolve.Ingress
	wl   map[string]string
	wlNS string
	gws  []*networkingv1.Gateway
	vss  []*networkingv1.VirtualService
	out  []route.Finding
}

func (l *linter) add(f route.Finding) { l.out = append(l.out, f) }

func (l *linter) selects(g *networkingv1.Gateway) bool {
	if l.ing == nil {
		return false
	}
	return len(g.Spec.Selector) == 0 || labels.SelectorFromSet(g.Spec.Selector).Matches(labels.Set(l.wl))
}

// tables are the virtual hosts of every route configuration of the
// gateway workload: its HTTP servers per listener port, each HTTPS server.
func (l *linter) tables() [][]envoy.VirtualHost {
	var out [][]envoy.VirtualHost
	seen := map[int32]bool{}
	w := rules.Workload{Labels: l.wl, Namespace: l.wlNS}
	for _, g := range l.gws {
		if !l.selects(g) {
			continue
		}
		for _, s := range g.Spec.Servers {
			at := int32(s.GetPort().GetNumber())
			for _, p := range l.ing.Service.Spec.Ports {
				if p.Port == at {
					at = targetPort(p, l.ing.Pods)
				}
			}
			if seen[at] {
				continue
			}
			seen[at] = true
			var http []listenerServer
			for _, ls := range listenerServers(l.gws, l.ing.Service, l.ing.Pods, l.wl, at) {
				switch rules.ServerScheme(ls.srv) {
				case "http":
					http = append(http, ls)
				case "https":
					out = append(out, rules.BuildVirtualHosts(ruleServers([]listenerServer{ls}), l.vss, w, rules.Semantics{}))
				}
			}
			if len(http) > 0 {
				out = append(out, rules.BuildVirtualHosts(ruleServers(http), l.vss, w, rules.Semantics{}))
			}
		}
	}
	return out
}

// virtualServices checks the VirtualServices in scope.
func (l *linter) virtualServices() error {
	reach := diagnose.Reachability(l.tables()...)
	seen := map[string]bool{}
	for k := range reach {
		seen[k.Namespace+"/"+k.Name] = true
	}
	lookup, err := diagnose.Catalog(l.ctx, l.a.c.Kube, 503)
	if err != nil {
		return err
	}
	httpPort, _ := ingressPorts(l.ing) // pilot's cluster port for a destination without one
	for _, vs := range rulesSorted(l.vss) {
		if !l.in.InScope(vs.Namespace, func(h string) bool {
			return slices.ContainsFunc(vs.Spec.Hosts, func(x string) bool { return rules.HostsOverlap(x, h) })
		}) {
			continue
		}
		ref := "VirtualService " + vs.Namespace + "/" + vs.Name
		bound := l.bindings(vs)
		if !bound {
			continue // not the ingress gateway's, or reported
		}
		if !seen[vs.Namespace+"/"+vs.Name] {
			if len(vs.Spec.Http) > 0 { // tls/tcp routes are not explain's
				l.unserved(vs)
			}
			continue
		}
		for i, h := range vs.Spec.Http {
			i := i
			r := reach[diagnose.RuleKey{Kind: "VirtualService", Namespace: vs.Namespace, Name: vs.Name, Rule: i}]
			switch {
			case r == nil && catchAllIndex(vs) >= 0 && catchAllIndex(vs) < i:
				l.add(route.Finding{Code: route.CodeUnreachable, Kind: "VirtualService", Namespace: vs.Namespace, Name: vs.Name, Rule: &i,
					Message: fmt.Sprintf("rule %d is never reached: Istio drops the rules after the first catch-all rule of a VirtualService (rule %d)", i, catchAllIndex(vs)),
					Fix:     "move the catch-all rule last"})
				continue
			case r == nil:
				l.add(route.Finding{Code: route.CodeUnreachable, Kind: "VirtualService", Namespace: vs.Namespace, Name: vs.Name, Rule: &i,
					Message: fmt.Sprintf("rule %d is never reached: none of its matches applies to the ingress gateway (port, gateways or sourceLabels)", i),
					Fix:     "check the rule's match.port, match.gateways and match.sourceLabels"})
				continue
			case !r.Reachable:
				o := r.By
				l.add(route.Finding{Code: route.CodeUnreachable, Kind: "VirtualService", Namespace: vs.Namespace, Name: vs.Name, Rule: &i,
					Message:  fmt.Sprintf("rule %d (%s) is never reached on host %s: %s %s/%s rule %d (%s) takes all its requests first", i, rules.DescribeHTTPMatchList(h), r.Host, o.Kind, o.Namespace, o.Name, o.Rule, o.Match),
					Involves: []string{o.Kind + " " + o.Namespace + "/" + o.Name},
					Fix:      "give the rule its own host, or a match the earlier rule does not take (Istio merges VirtualServices of a host oldest first, catch-alls last)"})
			}
			for _, d := range h.Route {
				b := envoy.Backend{Host: rules.DestinationFQDN(d.GetDestination().GetHost(), vs.Namespace), Port: d.GetDestination().GetPort().GetNumber(), ListenPort: httpPort}
				l.destination(ref, vs.Namespace, vs.Name, i, b, lookup)
			}
		}
	}
	return nil
}

func catchAllIndex(vs *networkingv1.VirtualService) int {
	for i, h := range vs.Spec.Http {
		if rules.CatchAll(h) {
			return i
		}
	}
	return -1
}

func rulesSorted(vss []*networkingv1.VirtualService) []*networkingv1.VirtualService {
	out := slices.Clone(vss)
	slices.SortFunc(out, func(a, b *networkingv1.VirtualService) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	return out
}

// bindings reports Gateways vs names that do not exist; it is true when
// vs binds a Gateway of the ingress gateway's workload.
func (l *linter) bindings(vs *networkingv1.VirtualService) bool {
	ours := false
	for _, ref := range rules.BoundGateways(vs) {
		if ref.IsMesh() {
			continue
		}
		i := slices.IndexFunc(l.gws, func(g *networkingv1.Gateway) bool { return g.Namespace == ref.Namespace && g.Name == ref.Name })
		if i < 0 {
			l.add(route.Finding{Code: route.CodeNotFound, Kind: "VirtualService", Namespace: vs.Namespace, Name: vs.Name,
				Message:  fmt.Sprintf("its gateways name %s, which does not exist: none of its routes is served there", ref),
				Involves: []string{"Gateway " + ref.String()},
				Fix:      fmt.Sprintf("create Gateway %s, or name an existing one (kubectl get gateways.networking.istio.io -A)", ref)})
			continue
		}
		ours = ours || l.selects(l.gws[i])
	}
	return ours
}

// unserved says why a VirtualService bound to the gateway has no route
// there: exported away from it, or no host a server of its Gateways takes.
func (l *linter) unserved(vs *networkingv1.VirtualService) {
	if to := vs.Spec.ExportTo; len(to) > 0 && !slices.Contains(to, "*") && !slices.Contains(to, l.wlNS) && !(slices.Contains(to, ".") && vs.Namespace == l.wlNS) {
		l.add(route.Finding{Code: route.CodeNotVisible, Kind: "VirtualService", Namespace: vs.Namespace, Name: vs.Name,
			Message: fmt.Sprintf("exportTo %v hides it from the gateway pods' namespace %s: none of its routes is served", to, l.wlNS),
			Fix:     fmt.Sprintf("add %q (or \"*\") to spec.exportTo", l.wlNS)})
		return
	}
	var hosts []string
	for _, ref := range rules.BoundGateways(vs) {
		for _, g := range l.gws {
			if g.Namespace == ref.Namespace && g.Name == ref.Name {
				for _, s := range g.Spec.Servers {
					hosts = append(hosts, s.Hosts...)
				}
			}
		}
	}
	l.add(route.Finding{Code: route.CodeHostNotInGateway, Kind: "VirtualService", Namespace: vs.Namespace, Name: vs.Name,
		Message: fmt.Sprintf("no server of its Gateways takes its hosts %s for namespace %s (servers take %s): none of its routes is served",
			strings.Join(vs.Spec.Hosts, ", "), vs.Namespace, strings.Join(hosts, ", ")),
		Fix: "add the host to a server of the Gateway (namespace/host entries must let this namespace in), or change the VirtualService's hosts"})
}

// destination reports a destination of rule i of object ref that does not
// exist or has no ready endpoints.
func (l *linter) destination(ref, ns, name string, i int, b envoy.Backend, lookup func(envoy.Backend) diagnose.Target) {
	t := lookup(b)
	kind, _, _ := strings.Cut(ref, " ")
	switch {
	case t.Problem != "" && strings.Contains(t.Problem, "has no port"):
		l.add(route.Finding{Code: route.CodeMissingPort, Kind: kind, Namespace: ns, Name: name, Rule: &i,
			Message: fmt.Sprintf("rule %d sends to %s: %s: the gateway answers %d", i, b.Host, t.Problem, t.Status), Fix: t.Fix})
	case t.Problem != "":
		l.add(route.Finding{Code: route.CodeNotFound, Kind: kind, Namespace: ns, Name: name, Rule: &i,
			Message: fmt.Sprintf("rule %d sends to %s: %s: the gateway answers %d", i, b.Host, t.Problem, t.Status), Fix: t.Fix})
	case t.Ready == 0:
		l.add(route.Finding{Code: route.CodeNoEndpoints, Kind: kind, Namespace: ns, Name: name, Rule: &i,
			Message: fmt.Sprintf("rule %d sends to %s:%d, which has no ready endpoints: the gateway answers 503", i, b.Host, t.Port),
			Fix:     "check the Service's selector and its pods' readiness"})
	}
}
