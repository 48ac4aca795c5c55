package gwapi

import (
	"maps"
	"slices"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Progress is what the earlier rounds of one delete wrote of the Gateway
// API, for the rounds after them (PlanDeleteAfter).
type Progress struct {
	// Touched are the Gateways the routes removed were attached to.
	Touched map[route.ObjectRef]bool
	// Deleted are the Gateways this delete deleted, as they were.
	Deleted map[route.ObjectRef]*gwv1.Gateway
}

// Record adds an applied change of the Gateway API to p (other kinds are
// not its own and are ignored).
func (p *Progress) Record(c route.Change) {
	switch b := c.Before.(type) {
	case *gwv1.HTTPRoute:
		if p.Touched == nil {
			p.Touched = map[route.ObjectRef]bool{}
		}
		for _, pr := range b.Spec.ParentRefs {
			if ref, ok := ParentGateway(pr, b.Namespace); ok {
				p.Touched[ref] = true
			}
		}
	case *gwv1.Gateway:
		if c.Op != route.OpDelete {
			return
		}
		if p.Deleted == nil {
			p.Deleted = map[route.ObjectRef]*gwv1.Gateway{}
		}
		p.Deleted[route.ObjectRef{Namespace: b.Namespace, Name: b.Name}] = b
	}
}

// recreated are the Gateways this delete deleted that a route of st
// attaches to again, created again as they were.
func (p Progress) recreated(st State) []route.Change {
	var out []route.Change
	refs := slices.SortedFunc(maps.Keys(p.Deleted), route.CompareRefs)
	for _, ref := range refs {
		if st.gateway(ref) != nil || !attachedTo(st.Routes, ref) {
			continue
		}
		out = append(out, route.Change{Op: route.OpCreate, Object: route.Recreatable(p.Deleted[ref])})
	}
	return out
}

// attachedTo is whether a route of routes names Gateway ref as a parent.
func attachedTo(routes []*gwv1.HTTPRoute, ref route.ObjectRef) bool {
	return slices.ContainsFunc(routes, func(r *gwv1.HTTPRoute) bool {
		return slices.ContainsFunc(r.Spec.ParentRefs, func(p gwv1.ParentReference) bool {
			pr, ok := ParentGateway(p, r.Namespace)
			return ok && pr == ref
		})
	})
}
