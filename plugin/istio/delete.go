package istio

import (
	"maps"
	"slices"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// PlanDelete removes the service's routes from the tool's VirtualServices
// in the namespace (with d.Force, also those the tool wrote into the
// others: see Delete.Force, KeptWhole), deletes the tool's ones left
// empty, then trims the tool's Gateways they were bound to of hosts no
// VirtualService binds anymore (any VirtualService, managed or not, of any
// namespace: st.VirtualServices, st.OtherVirtualServices and st.Managed)
// and deletes Gateways left without servers. With st.ManagedUnknown,
// Gateways are left as they are. VirtualService changes come first.
// Nothing to delete is a *NoRouteError.
func PlanDelete(d *route.Delete, st State) ([]route.Change, error) {
	return PlanDeleteAfter(d, st, Progress{})
}

// PlanDeleteAfter is PlanDelete for a later round of one delete, whose
// earlier rounds wrote p (see Progress): its routes already gone are no
// error, and the Gateways they were bound to are trimmed again from this
// state, which counts the routes other writers removed or added since.
// A host bound again (by a concurrent expose) whose server this delete's
// Gateway had before gets it back, and a Gateway this delete deleted that
// a VirtualService binds again is created again with those servers.
func PlanDeleteAfter(d *route.Delete, st State, p Progress) ([]route.Change, error) {
	fqdn := rules.ServiceFQDN(d.Service, d.Namespace)
	var changes []route.Change
	remaining := map[*networkingv1.VirtualService]*networkingv1.VirtualService{} // old -> new (nil: deleted)
	touched := map[route.ObjectRef]bool{}
	for _, vs := range st.VirtualServices {
		remaining[vs] = vs
		if !selected(d, vs) {
			continue
		}
		var kept []*apinet.HTTPRoute
		var removed int
		if route.IsManaged(vs) {
			kept, removed = RemoveRoutes(vs.Spec.Http, fqdn, d.Matches)
		} else if d.Force {
			kept, removed = removeToolRoutes(vs.Spec.Http, d.Service, fqdn, d.Matches)
		}
		if removed == 0 {
			continue
		}
		if !route.IsManaged(vs) && len(kept) == 0 && len(vs.Spec.Tcp) == 0 && len(vs.Spec.Tls) == 0 {
			changes = append(changes, route.Change{Op: route.OpUnchanged, Object: vs})
			continue
		}
		for _, g := range rules.BoundGateways(vs) {
			touched[g] = true
		}
		if route.IsManaged(vs) && len(kept) == 0 && len(vs.Spec.Tcp) == 0 && len(vs.Spec.Tls) == 0 {
			remaining[vs] = nil
			changes = append(changes, route.ChangeOf(route.OpDelete, vs, vs))
			continue
		}
		next := vs.DeepCopy()
		next.SetGroupVersionKind(VirtualServiceKind)
		next.Spec.Http = kept
		remaining[vs] = next
		changes = append(changes, route.ChangeOf(route.OpUpdate, next, vs))
	}
	if len(changes) == 0 && len(p.Touched) == 0 {
		e := &route.NoRouteError{Service: d.Service, Namespace: d.Namespace, Filter: route.DescribeFilter(d)}
		if !d.Force {
			e.Unmanaged = UnmanagedRoutes(d, st)
		}
		return nil, e
	}
	for ref := range p.Touched {
		touched[ref] = true
	}
	if st.ManagedUnknown {
		return changes, nil
	}
	for _, vs := range slices.Concat(st.OtherVirtualServices, st.Managed) {
		if vs.Namespace != d.Namespace { // those of the namespace are in remaining, as planned
			remaining[vs] = vs
		}
	}
	for _, gw := range st.Gateways {
		ref := route.ObjectRef{Namespace: gw.Namespace, Name: gw.Name}
		if !route.IsManaged(gw) || !touched[ref] {
			continue
		}
		used := usedHosts(remaining, ref)
		next := gw.DeepCopy()
		next.SetGroupVersionKind(GatewayKind)
		pruned := PruneGateway(next, used)
		restored := p.Before[ref] != nil && restoreServers(next, p.Before[ref], used)
		if !pruned && !restored {
			continue
		}
		if len(next.Spec.Servers) == 0 {
			changes = append(changes, route.ChangeOf(route.OpDelete, gw, gw))
		} else {
			changes = append(changes, route.ChangeOf(route.OpUpdate, next, gw))
		}
	}
	return append(changes, recreated(st, p, remaining)...), nil
}

// usedHosts are the hosts of the VirtualServices of remaining bound to ref.
func usedHosts(remaining map[*networkingv1.VirtualService]*networkingv1.VirtualService, ref route.ObjectRef) []string {
	var used []string
	for _, vs := range remaining {
		if vs != nil && slices.Contains(rules.BoundGateways(vs), ref) {
			used = append(used, vs.Spec.Hosts...)
		}
	}
	return used
}

// recreated are the Gateways this delete deleted (p.Before, not in st)
// that a VirtualService binds again, created again with the servers of
// the hosts bound.
func recreated(st State, p Progress, remaining map[*networkingv1.VirtualService]*networkingv1.VirtualService) []route.Change {
	var out []route.Change
	for _, ref := range slices.SortedFunc(maps.Keys(p.Before), route.CompareRefs) {
		before := p.Before[ref]
		if findGateway(st, ref) != nil {
			continue
		}
		next := route.Recreatable(before).(*networkingv1.Gateway)
		next.SetGroupVersionKind(GatewayKind)
		next.Spec.Servers = nil
		if restoreServers(next, before, usedHosts(remaining, ref)) {
			out = append(out, route.Change{Op: route.OpCreate, Object: next})
		}
	}
	return out
}

// restoreServers adds to gw the hosts of before's servers that used binds
// and that no server of gw on that port serves: to before's server of the
// same name when gw has it, else in a copy of that server.
func restoreServers(gw, before *networkingv1.Gateway, used []string) bool {
	changed := false
	for _, sb := range before.Spec.Servers {
		var missing []string
		for _, h := range sb.Hosts {
			if !slices.ContainsFunc(used, func(u string) bool { return rules.ServerHostServes(h, u) }) {
				continue
			}
			if slices.ContainsFunc(gw.Spec.Servers, func(s *apinet.Server) bool {
				return s.GetPort().GetNumber() == sb.GetPort().GetNumber() && slices.Contains(s.Hosts, h)
			}) {
				continue
			}
			missing = append(missing, h)
		}
		if len(missing) == 0 {
			continue
		}
		changed = true
		if i := slices.IndexFunc(gw.Spec.Servers, func(s *apinet.Server) bool { return s.GetName() != "" && s.GetName() == sb.GetName() }); i >= 0 {
			gw.Spec.Servers[i].Hosts = append(gw.Spec.Servers[i].Hosts, missing...)
			continue
		}
		srv := sb.DeepCopy()
		srv.Hosts = missing
		gw.Spec.Servers = append(gw.Spec.Servers, srv)
	}
	return changed
}

// selected is whether vs is one of the namespace that d looks into: of the
// namespace and, with d.Hosts, binding one of them.
func selected(d *route.Delete, vs *networkingv1.VirtualService) bool {
	if vs.Namespace != d.Namespace {
		return false
	}
	return len(d.Hosts) == 0 || slices.ContainsFunc(vs.Spec.Hosts, func(h string) bool { return slices.Contains(d.Hosts, h) })
}

// UnmanagedRoutes are the routes of the service that d selects in the
// VirtualServices the tool does not manage, those only d.Force removes, as
// "namespace/name match" in order.
func UnmanagedRoutes(d *route.Delete, st State) []string {
	fqdn := rules.ServiceFQDN(d.Service, d.Namespace)
	var out []string
	for _, vs := range st.VirtualServices {
		if route.IsManaged(vs) || !selected(d, vs) {
			continue
		}
		for _, r := range vs.Spec.Http {
			if toolRoute(r, d.Service, fqdn, d.Matches) {
				m, _ := rules.MatchOf(r)
				out = append(out, vs.Namespace+"/"+vs.Name+" "+m.String())
			}
		}
	}
	return out
}

// toolRoute is whether r is a route expose could have written for the
// service: named after it, its match one MatchOf reads (and, when matches
// is not empty, standing for one of them), sending only to the service.
func toolRoute(r *apinet.HTTPRoute, svc, fqdn string, matches []route.Match) bool {
	if r.GetName() != svc || !SendsTo(r, fqdn) {
		return false
	}
	m, ok := rules.MatchOf(r)
	if !ok {
		return false
	}
	return len(matches) == 0 || slices.ContainsFunc(matches, func(w route.Match) bool { return canonical(w) == canonical(m) })
}

// removeToolRoutes is RemoveRoutes for a VirtualService the tool does not
// manage: only the routes toolRoute recognises go.
func removeToolRoutes(routes []*apinet.HTTPRoute, svc, fqdn string, matches []route.Match) (kept []*apinet.HTTPRoute, removed int) {
	kept = make([]*apinet.HTTPRoute, 0, len(routes))
	for _, r := range routes {
		if toolRoute(r, svc, fqdn, matches) {
			removed++
			continue
		}
		kept = append(kept, r)
	}
	return kept, removed
}

// KeptWhole is whether c is a VirtualService the tool does not manage
// that PlanDelete leaves as it is, routes of the service included, because
// without them it would have no route at all: Istio rejects such a
// VirtualService, and deleting it is not the tool's to do.
func KeptWhole(c route.Change) bool {
	return c.Op == route.OpUnchanged && VirtualServiceOf(c) != nil && !route.IsManaged(VirtualServiceOf(c))
}
