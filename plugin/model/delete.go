package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

// NoRouteError says there is no route of the service to delete. Unmanaged
// are those (see UnmanagedRoutes) that only Delete.Force removes.
type NoRouteError struct {
	Service, Namespace string
	Filter             string // " matching [...]", " on hosts [...]" or ""
	Unmanaged          []string
}

func (e *NoRouteError) Error() string {
	s := fmt.Sprintf("no route of service %s/%s to delete%s", e.Namespace, e.Service, e.Filter)
	if len(e.Unmanaged) == 0 {
		return s
	}
	return s + " in the VirtualServices kubectl-expose-gw manages, but it has routes in VirtualServices kubectl-expose-gw does not manage (written there by expose --force): " +
		strings.Join(e.Unmanaged, ", ") + "; add --force to remove them"
}

// PlanDelete removes the service's routes from the tool's VirtualServices
// in the namespace (with d.Force, also those the tool wrote into the
// others: see Delete.Force, KeptWhole), deletes the tool's ones left
// empty, then trims the tool's Gateways they were bound to of hosts no
// VirtualService binds anymore (any VirtualService, managed or not, of any
// namespace: st.VirtualServices, st.OtherVirtualServices and st.Managed)
// and deletes Gateways left without servers. With st.ManagedUnknown,
// Gateways are left as they are. VirtualService changes come first.
// Nothing to delete is a *NoRouteError.
func PlanDelete(d *Delete, st State) ([]Change, error) {
	fqdn := rules.ServiceFQDN(d.Service, d.Namespace)
	var changes []Change
	remaining := map[*networkingv1.VirtualService]*networkingv1.VirtualService{} // old -> new (nil: deleted)
	touched := map[ObjectRef]bool{}
	for _, vs := range st.VirtualServices {
		remaining[vs] = vs
		if !selected(d, vs) {
			continue
		}
		var kept []*apinet.HTTPRoute
		var removed int
		if IsManaged(vs) {
			kept, removed = RemoveRoutes(vs.Spec.Http, fqdn, d.Matches)
		} else if d.Force {
			kept, removed = removeToolRoutes(vs.Spec.Http, d.Service, fqdn, d.Matches)
		}
		if removed == 0 {
			continue
		}
		if !IsManaged(vs) && len(kept) == 0 && len(vs.Spec.Tcp) == 0 && len(vs.Spec.Tls) == 0 {
			changes = append(changes, Change{Op: OpUnchanged, Object: vs})
			continue
		}
		for _, g := range rules.BoundGateways(vs) {
			touched[g] = true
		}
		if IsManaged(vs) && len(kept) == 0 && len(vs.Spec.Tcp) == 0 && len(vs.Spec.Tls) == 0 {
			remaining[vs] = nil
			changes = append(changes, changeOf(OpDelete, vs, vs))
			continue
		}
		next := vs.DeepCopy()
		next.SetGroupVersionKind(VirtualServiceKind)
		next.Spec.Http = kept
		remaining[vs] = next
		changes = append(changes, changeOf(OpUpdate, next, vs))
	}
	if len(changes) == 0 {
		e := &NoRouteError{Service: d.Service, Namespace: d.Namespace, Filter: describeFilter(d)}
		if !d.Force {
			e.Unmanaged = UnmanagedRoutes(d, st)
		}
		return nil, e
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
		ref := ObjectRef{Namespace: gw.Namespace, Name: gw.Name}
		if !IsManaged(gw) || !touched[ref] {
			continue
		}
		var used []string
		for _, vs := range remaining {
			if vs != nil && slices.Contains(rules.BoundGateways(vs), ref) {
				used = append(used, vs.Spec.Hosts...)
			}
		}
		next := gw.DeepCopy()
		next.SetGroupVersionKind(GatewayKind)
		if !PruneGateway(next, used) {
			continue
		}
		if len(next.Spec.Servers) == 0 {
			changes = append(changes, changeOf(OpDelete, gw, gw))
		} else {
			changes = append(changes, changeOf(OpUpdate, next, gw))
		}
	}
	return changes, nil
}

// selected is whether vs is one of the namespace that d looks into: of the
// namespace and, with d.Hosts, binding one of them.
func selected(d *Delete, vs *networkingv1.VirtualService) bool {
	if vs.Namespace != d.Namespace {
		return false
	}
	return len(d.Hosts) == 0 || slices.ContainsFunc(vs.Spec.Hosts, func(h string) bool { return slices.Contains(d.Hosts, h) })
}

// UnmanagedRoutes are the routes of the service that d selects in the
// VirtualServices the tool does not manage, those only d.Force removes, as
// "namespace/name match" in order.
func UnmanagedRoutes(d *Delete, st State) []string {
	fqdn := rules.ServiceFQDN(d.Service, d.Namespace)
	var out []string
	for _, vs := range st.VirtualServices {
		if IsManaged(vs) || !selected(d, vs) {
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
func toolRoute(r *apinet.HTTPRoute, svc, fqdn string, matches []Match) bool {
	if r.GetName() != svc || !SendsTo(r, fqdn) {
		return false
	}
	m, ok := rules.MatchOf(r)
	if !ok {
		return false
	}
	return len(matches) == 0 || slices.ContainsFunc(matches, func(w Match) bool { return canonical(w) == canonical(m) })
}

// removeToolRoutes is RemoveRoutes for a VirtualService the tool does not
// manage: only the routes toolRoute recognises go.
func removeToolRoutes(routes []*apinet.HTTPRoute, svc, fqdn string, matches []Match) (kept []*apinet.HTTPRoute, removed int) {
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
func KeptWhole(c Change) bool {
	return c.Op == OpUnchanged && c.VirtualService() != nil && !IsManaged(c.VirtualService())
}

func describeFilter(d *Delete) string {
	s := ""
	if len(d.Matches) > 0 {
		s += fmt.Sprintf(" matching %v", d.Matches)
	}
	if len(d.Hosts) > 0 {
		s += fmt.Sprintf(" on hosts %v", d.Hosts)
	}
	return s
}
