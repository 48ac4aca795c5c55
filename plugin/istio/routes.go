package istio

import (
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// RouteGateways are the Gateways that the VirtualServices vss (of the
// Service's namespace) bind with a route to Service ns/name: those
// ServiceRoutes needs.
func RouteGateways(vss []*networkingv1.VirtualService, ns, name string) []route.ObjectRef {
	var out []route.ObjectRef
	seen := map[route.ObjectRef]bool{}
	for _, vs := range vss {
		if len(servicePaths(vs, ns, name)) == 0 {
			continue
		}
		for _, g := range rules.BoundGateways(vs) {
			if !g.IsMesh() && !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// ServiceRoutes are the routes of vss to Service ns/name through the
// Gateways gws (those of RouteGateways that exist; a dangling reference
// routes nothing): one per route path, VirtualService host, Gateway server
// whose routes requests reach and that takes the host (rules.ServersFor),
// and virtual host it gets there; HTTP first.
func ServiceRoutes(vss []*networkingv1.VirtualService, gws map[route.ObjectRef]*networkingv1.Gateway, ns, name string) []route.Route {
	var out []route.Route
	for _, vs := range vss {
		paths := servicePaths(vs, ns, name)
		if len(paths) == 0 {
			continue
		}
		for _, ref := range rules.BoundGateways(vs) {
			gw := gws[ref]
			if gw == nil {
				continue
			}
			for _, h := range vs.Spec.Hosts {
				for _, p := range paths {
					for _, s := range rules.ServersFor(gw, h, vs.Namespace) {
						for _, vh := range s.Hosts {
							out = append(out, route.Route{
								VirtualService: vs.Namespace + "/" + vs.Name, Gateway: ref.String(),
								Selector: gw.Spec.Selector, ServerPort: s.Server.GetPort().GetNumber(),
								Scheme: s.Scheme, Host: vh, Path: p, Credential: s.Server.GetTls().GetCredentialName(),
							})
						}
					}
				}
			}
		}
	}
	return out
}

// servicePaths are the distinct paths a URL can take to reach Service
// ns/name through vs: "/" for a route without a URI match, its prefix or
// exact path, a path prefix (exact P plus prefix P/) once as P. Regex URI
// matches have no URL and are left out.
func servicePaths(vs *networkingv1.VirtualService, ns, name string) []string {
	var paths []string
	seen := map[string]bool{}
	for _, r := range vs.Spec.Http {
		if !rules.RoutesToService(r, vs.Namespace, ns, name) {
			continue
		}
		var ps []string
		if len(r.Match) == 0 {
			ps = []string{"/"}
		}
		exact := map[string]bool{}
		for _, m := range r.Match {
			if e := m.GetUri().GetExact(); e != "" {
				exact[e] = true
			}
		}
		for _, m := range r.Match {
			switch p := m.GetUri().GetPrefix(); {
			case m.GetUri() == nil:
				ps = append(ps, "/")
			case p != "":
				if !(len(p) > 1 && strings.HasSuffix(p, "/") && exact[strings.TrimSuffix(p, "/")]) {
					ps = append(ps, p)
				}
			case m.GetUri().GetExact() != "":
				ps = append(ps, m.GetUri().GetExact())
			}
		}
		for _, p := range ps {
			if !seen[p] {
				seen[p] = true
				paths = append(paths, p)
			}
		}
	}
	return paths
}
