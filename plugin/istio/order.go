package istio

import (
	"sort"

	apinet "istio.io/api/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// SortRoutes orders routes most specific first (see Before), in place and
// stably. Routes the tool does not recognise keep their relative order
// after all recognised ones, so a catch-all stays last. MergeRoutes only
// sorts lists it recognises whole (see insertAt for the others).
func SortRoutes(routes []*apinet.HTTPRoute) {
	type keyed struct {
		k routeKey
		r *apinet.HTTPRoute
	}
	ks := make([]keyed, len(routes))
	for i, r := range routes {
		ks[i] = keyed{keyOf(r), r}
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].k.before(ks[j].k) })
	for i := range ks {
		routes[i] = ks[i].r
	}
}

// routeKey is what the order knows of a route: its match when recognised
// (ok), and whether it is a catch-all.
type routeKey struct {
	m   route.Match
	ok  bool
	all bool
}

func keyOf(r *apinet.HTTPRoute) routeKey {
	m, ok := rules.MatchOf(r)
	return routeKey{m: m, ok: ok, all: rules.MatchAll(r)}
}

// before is the order SortRoutes makes: recognised routes most specific
// first, then the others.
func (a routeKey) before(b routeKey) bool {
	if a.ok != b.ok {
		return a.ok
	}
	return a.ok && rules.Before(a.m, b.m)
}

func isSorted(keys []routeKey) bool {
	for i := 1; i < len(keys); i++ {
		if keys[i].before(keys[i-1]) {
			return false
		}
	}
	return true
}

// find is where a route of m goes in sorted keys: a binary search.
func find(keys []routeKey, m route.Match) int {
	k := routeKey{m: m, ok: true}
	return sort.Search(len(keys), func(i int) bool { return !keys[i].before(k) })
}

// insertAt is where a route of m goes among routes that must keep their
// order (some are not recognised, or not the tool's): right after the last
// recognised route that comes before it (Before), but never after the first
// route that takes all its requests (a catch-all or a covering route).
// It then shadows no route that was not shadowed already: the recognised
// routes it precedes come after it by Before, so it covers none of them,
// and those after the covering route were shadowed by it.
func insertAt(keys []routeKey, m route.Match) int {
	end := len(keys)
	for i, k := range keys {
		if k.all || k.ok && k.m.Covers(m) {
			end = i
			break
		}
	}
	at := 0
	for i, k := range keys[:end] {
		if k.ok && rules.Before(k.m, m) {
			at = i + 1
		}
	}
	return at
}
