package model

import (
	"fmt"

	apinet "istio.io/api/networking/v1"
)

// RouteConflictError says a path of the new routes already goes to another
// service.
type RouteConflictError struct {
	Match    Match
	Existing string // destination(s) of the route in place
	Route    string // its name
}

func (e *RouteConflictError) Error() string {
	return fmt.Sprintf("route %s already sends to %s (route %q): delete it first or add --force to replace it",
		e.Match, e.Existing, e.Route)
}

// MergeRoutes returns existing with add merged in and the whole list sorted
// most specific first. A route of add whose match is already routed to the
// same target is left as is; to the same service with another port or
// rewrite it is replaced; to another service it is a *RouteConflictError
// unless force, which replaces it. changed says whether the result differs
// from existing. Neither input is modified.
func MergeRoutes(existing, add []*apinet.HTTPRoute, force bool) ([]*apinet.HTTPRoute, bool, error) {
	out := make([]*apinet.HTTPRoute, len(existing), len(existing)+len(add))
	copy(out, existing)
	index := make(map[Match]int, len(existing))
	for i, r := range existing {
		if m, ok := MatchOf(r); ok {
			if _, dup := index[m]; !dup {
				index[m] = i
			}
		}
	}
	changed := false
	for _, n := range add {
		m, ok := MatchOf(n)
		if !ok {
			return nil, false, fmt.Errorf("internal error: route %q has no path match", n.GetName())
		}
		i, found := index[m]
		switch {
		case !found:
			index[m] = len(out)
			out = append(out, n)
			changed = true
		case SameTarget(out[i], n):
		case force || SendsTo(out[i], n.Route[0].GetDestination().GetHost()) && out[i].GetName() == n.GetName():
			out[i] = n
			changed = true
		default:
			return nil, false, &RouteConflictError{Match: m, Existing: joinOr(Destinations(out[i]), "nothing"), Route: out[i].GetName()}
		}
	}
	before := make(map[*apinet.HTTPRoute]int, len(out))
	for i, r := range out {
		before[r] = i
	}
	SortRoutes(out)
	if !changed {
		for i, r := range out {
			if before[r] != i {
				changed = true
				break
			}
		}
	}
	return out, changed, nil
}

// RemoveRoutes returns routes without those that send only to host and,
// when matches is not empty, match one of matches. removed counts them.
func RemoveRoutes(routes []*apinet.HTTPRoute, host string, matches []Match) (kept []*apinet.HTTPRoute, removed int) {
	want := make(map[Match]bool, len(matches))
	for _, m := range matches {
		want[m] = true
	}
	kept = make([]*apinet.HTTPRoute, 0, len(routes))
	for _, r := range routes {
		if SendsTo(r, host) {
			if len(matches) == 0 {
				removed++
				continue
			}
			if m, ok := MatchOf(r); ok && want[m] {
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
