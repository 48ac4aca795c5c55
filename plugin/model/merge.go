package model

import (
	"fmt"
	"slices"
	"sort"

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
	keys := make([]routeKey, len(existing), len(existing)+len(add))
	for i, r := range existing {
		keys[i].m, keys[i].ok = MatchOf(r)
	}
	sorted := isSorted(keys)
	changed := !sorted
	for _, n := range add {
		m, ok := MatchOf(n)
		if !ok {
			return nil, false, fmt.Errorf("internal error: route %q has no path match", n.GetName())
		}
		i := find(keys, m, sorted)
		switch {
		case i < len(keys) && keys[i].ok && keys[i].m == m:
			switch {
			case SameTarget(out[i], n):
			case force || SendsTo(out[i], n.Route[0].GetDestination().GetHost()) && out[i].GetName() == n.GetName():
				out[i] = n
				changed = true
			default:
				return nil, false, &RouteConflictError{Match: m, Existing: joinOr(Destinations(out[i]), "nothing"), Route: out[i].GetName()}
			}
		default: // i is where m goes in a sorted list, the end otherwise
			out = slices.Insert(out, i, n)
			keys = slices.Insert(keys, i, routeKey{m, true})
			changed = true
		}
	}
	if !sorted {
		SortRoutes(out)
	}
	return out, changed, nil
}

type routeKey struct {
	m  Match
	ok bool
}

// before is the order SortRoutes makes: recognised routes most specific
// first, then the others.
func (a routeKey) before(b routeKey) bool {
	if a.ok != b.ok {
		return a.ok
	}
	return a.ok && Before(a.m, b.m)
}

func isSorted(keys []routeKey) bool {
	for i := 1; i < len(keys); i++ {
		if keys[i].before(keys[i-1]) {
			return false
		}
	}
	return true
}

// find returns the index of the route matching m, or where m goes: a
// binary search when keys are sorted, else a scan (then the end).
func find(keys []routeKey, m Match, sorted bool) int {
	k := routeKey{m, true}
	if sorted {
		return sort.Search(len(keys), func(i int) bool { return !keys[i].before(k) })
	}
	for i, x := range keys {
		if x.ok && x.m == m {
			return i
		}
	}
	return len(keys)
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
