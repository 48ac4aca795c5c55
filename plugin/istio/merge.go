package istio

import (
	"fmt"
	"slices"

	apinet "istio.io/api/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// RouteConflictError says a path of the new routes already goes to another
// service.
type RouteConflictError struct {
	Match    route.Match // of the route in place
	Existing string      // destination(s) of the route in place
	Route    string      // its name
}

func (e *RouteConflictError) Error() string {
	return fmt.Sprintf("route %s already sends to %s (route %q): delete it first or add --force to replace it",
		e.Match, e.Existing, e.Route)
}

// MergeRoutes returns existing with add merged in. The route of a match is
// every route standing for it (see Match.canonical: also a string prefix
// the tool wrote for that path prefix before). When it already sends to
// the same target, written as now, it is left as is; to the same service
// otherwise (port, rewrite, an older form) it is replaced; to another
// service it is a *RouteConflictError unless force, which replaces it.
// When existing is recognised whole, the result is sorted most specific
// first; otherwise no existing route moves and new ones go where insertAt
// says. changed says whether the result differs from existing. Neither
// input is modified.
func MergeRoutes(existing, add []*apinet.HTTPRoute, force bool) ([]*apinet.HTTPRoute, bool, error) {
	return mergeRoutes(existing, add, force, false)
}

// mergeRoutes is MergeRoutes; keepOrder moves no existing route even when
// all are recognised (a VirtualService that is not the tool's).
func mergeRoutes(existing, add []*apinet.HTTPRoute, force, keepOrder bool) ([]*apinet.HTTPRoute, bool, error) {
	out := make([]*apinet.HTTPRoute, len(existing), len(existing)+len(add))
	copy(out, existing)
	keys := make([]routeKey, len(existing), len(existing)+len(add))
	for i, r := range existing {
		keys[i] = keyOf(r)
		keepOrder = keepOrder || !keys[i].ok
	}
	sorted := !keepOrder && isSorted(keys)
	changed := !keepOrder && !sorted
	for _, n := range add {
		m, ok := rules.MatchOf(n)
		if !ok {
			return nil, false, fmt.Errorf("internal error: route %q has no path match", n.GetName())
		}
		same := routesOf(keys, m)
		if len(same) == 1 && keys[same[0]].m == m && SameTarget(out[same[0]], n) {
			continue
		}
		for _, i := range same {
			if !force && (!SendsTo(out[i], n.Route[0].GetDestination().GetHost()) || out[i].GetName() != n.GetName()) {
				return nil, false, &RouteConflictError{Match: keys[i].m, Existing: joinOr(rules.Destinations(out[i]), "nothing"), Route: out[i].GetName()}
			}
		}
		at := -1
		if keepOrder && len(same) > 0 {
			at = same[0] // in place of the first, the others go
		}
		for _, i := range slices.Backward(same) {
			out, keys = slices.Delete(out, i, i+1), slices.Delete(keys, i, i+1)
		}
		switch {
		case at >= 0:
		case keepOrder:
			at = insertAt(keys, m)
		case sorted:
			at = find(keys, m)
		default: // sorted at the end
			at = len(keys)
		}
		out = slices.Insert(out, at, n)
		keys = slices.Insert(keys, at, routeKey{m: m, ok: true})
		changed = true
	}
	if !keepOrder && !sorted {
		SortRoutes(out)
	}
	return out, changed, nil
}

// routesOf are the indexes of the routes standing for m.
func routesOf(keys []routeKey, m route.Match) []int {
	var out []int
	c := canonical(m)
	for i, k := range keys {
		if k.ok && canonical(k.m) == c {
			out = append(out, i)
		}
	}
	return out
}

// RemoveRoutes returns routes without those that send only to host and,
// when matches is not empty, stand for one of matches (a path prefix also
// removes the string prefix the tool wrote for it before). removed counts
// them.
func RemoveRoutes(routes []*apinet.HTTPRoute, host string, matches []route.Match) (kept []*apinet.HTTPRoute, removed int) {
	want := make(map[route.Match]bool, len(matches))
	for _, m := range matches {
		want[canonical(m)] = true
	}
	kept = make([]*apinet.HTTPRoute, 0, len(routes))
	for _, r := range routes {
		if SendsTo(r, host) {
			if len(matches) == 0 {
				removed++
				continue
			}
			if m, ok := rules.MatchOf(r); ok && want[canonical(m)] {
				removed++
				continue
			}
		}
		kept = append(kept, r)
	}
	return kept, removed
}

func joinOr(s []string, empty string) string {
	if len(s) == 0 {
		return empty
	}
	out := s[0]
	for _, x := range s[1:] {
		out += ", " + x
	}
	return out
}
