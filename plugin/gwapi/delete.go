package gwapi

import (
	"fmt"
	"slices"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// PlanDelete removes the service's rules (those of d.Matches, else all)
// from the tool's HTTPRoutes of the namespace for the service (d.Hosts,
// else every host), deletes the routes left without rules, then deletes
// the tool's Gateways they were attached to that no route of any
// namespace attaches to anymore (with routesUnknown, when the routes of
// other namespaces could not be read, Gateways are kept). HTTPRoutes the
// tool did not write are never changed, nor is a Gateway deleted under
// routes of other kinds or ListenerSets (st.Attached; where those could
// not be read, st.AttachedUnknown, Istio's count of the routes attached
// to each listener, status.listeners[].attachedRoutes, stands in): it is
// kept with a warning. Nothing to delete returns no changes (the caller
// combines both APIs' plans).
func PlanDelete(d *route.Delete, st State, routesUnknown bool) ([]route.Change, []string) {
	return PlanDeleteAfter(d, st, routesUnknown, Progress{})
}

// PlanDeleteAfter is PlanDelete for a later round of one delete, whose
// earlier rounds wrote p: the Gateways their routes were attached to are
// deleted when this state, read after those writes, shows no route of
// any kind attached to them anymore (the other deletes of the same
// moment included); a Gateway this delete deleted that a route attaches
// to again (a concurrent expose) is created again.
func PlanDeleteAfter(d *route.Delete, st State, routesUnknown bool, p Progress) ([]route.Change, []string) {
	var changes []route.Change
	gone := map[*gwv1.HTTPRoute]bool{}
	touched := map[route.ObjectRef]bool{}
	for _, r := range st.Routes {
		if !ownRoute(r, d) {
			continue
		}
		kept := r.Spec.Rules
		if len(d.Matches) > 0 {
			kept = slices.DeleteFunc(slices.Clone(r.Spec.Rules), func(rule gwv1.HTTPRouteRule) bool {
				m, ok := MatchOf(rule)
				return ok && slices.Contains(d.Matches, m)
			})
			if len(kept) == len(r.Spec.Rules) {
				continue
			}
		} else {
			kept = nil
		}
		for _, p := range r.Spec.ParentRefs {
			if ref, ok := ParentGateway(p, r.Namespace); ok {
				touched[ref] = true
			}
		}
		if len(kept) == 0 {
			gone[r] = true
			changes = append(changes, route.Change{Op: route.OpDelete, Object: r, Before: r})
			continue
		}
		next := r.DeepCopy()
		next.Spec.Rules = kept
		changes = append(changes, route.Change{Op: route.OpUpdate, Object: next, Before: r})
	}
	for ref := range p.Touched {
		touched[ref] = true
	}
	if len(touched) == 0 || routesUnknown {
		return append(changes, p.recreated(st)...), nil
	}
	var warnings []string
	for _, g := range st.Gateways {
		ref := route.ObjectRef{Namespace: g.Namespace, Name: g.Name}
		if !route.IsManaged(g) || !touched[ref] {
			continue
		}
		used := slices.ContainsFunc(st.Routes, func(r *gwv1.HTTPRoute) bool {
			return !gone[r] && slices.ContainsFunc(r.Spec.ParentRefs, func(p gwv1.ParentReference) bool {
				pr, ok := ParentGateway(p, r.Namespace)
				return ok && pr == ref
			})
		})
		switch {
		case used:
		case len(st.Attached[ref]) > 0:
			warnings = append(warnings, fmt.Sprintf("Gateway %s/%s is kept: %s attached to it; delete it yourself when they are gone", g.Namespace, g.Name, strings.Join(st.Attached[ref], ", ")))
		case st.AttachedUnknown && othersAttached(g, st.Routes):
			warnings = append(warnings, fmt.Sprintf("Gateway %s/%s is kept: Istio reports routes of other kinds (or HTTPRoutes not readable here) attached to it (status.listeners[].attachedRoutes); delete it yourself when they are gone", g.Namespace, g.Name))
		default:
			changes = append(changes, route.Change{Op: route.OpDelete, Object: g, Before: g})
		}
	}
	return append(changes, p.recreated(st)...), warnings
}

// othersAttached is whether Istio counts more routes attached to a
// listener of g (status.listeners[].attachedRoutes) than the HTTPRoutes of
// routes (before the plan) attached to it: routes of other kinds, or of
// namespaces not read.
func othersAttached(g *gwv1.Gateway, routes []*gwv1.HTTPRoute) bool {
	ref := route.ObjectRef{Namespace: g.Namespace, Name: g.Name}
	for _, ls := range g.Status.Listeners {
		n := int32(0)
		for _, r := range routes {
			if slices.ContainsFunc(r.Spec.ParentRefs, func(p gwv1.ParentReference) bool {
				pr, ok := ParentGateway(p, r.Namespace)
				return ok && pr == ref && (p.SectionName == nil || *p.SectionName == ls.Name)
			}) {
				n++
			}
		}
		if ls.AttachedRoutes > n {
			return true
		}
	}
	return false
}

// ownRoute is whether r is one the tool wrote for d's service in its
// namespace, on one of d.Hosts.
func ownRoute(r *gwv1.HTTPRoute, d *route.Delete) bool {
	if r.Namespace != d.Namespace || !route.IsManaged(r) || r.Labels[ServiceLabel] != d.Service {
		return false
	}
	return len(d.Hosts) == 0 || slices.ContainsFunc(d.Hosts, func(h string) bool { return strings.EqualFold(h, HostOf(r)) })
}
