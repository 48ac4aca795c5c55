package istio

import (
	"strings"
	"testing"
	"unicode/utf8"

	apinet "istio.io/api/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// FuzzParsers feeds the same text to the --prefix, --host, --port and
// --gateway-selector parsers: none may panic, and what they accept must
// keep their promises.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{"/", "/env", "env", "*", "*.example.com", "flask.example.com", "80", "http",
		"0", "65536", "istio=ingressgateway", "a=b,c=d", "a=b,a=c", "/a b", "Host", "", "=", ",", "svc/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := route.ParsePath("prefix", s); err == nil {
			if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, " ?#\t\n") {
				t.Fatalf("ParsePath accepted %q", s)
			}
		} else if !strings.Contains(err.Error(), "--prefix") {
			t.Fatalf("ParsePath error does not name the flag: %v", err)
		}
		if h, err := route.ParseHost(s); err == nil {
			if h != s || strings.ToLower(h) != h || strings.Count(h, "*") > 1 || (strings.Contains(h, "*") && h != "*" && !strings.HasPrefix(h, "*.")) {
				t.Fatalf("ParseHost accepted %q", s)
			}
		} else if utf8.ValidString(s) && !strings.Contains(err.Error(), "--host") {
			t.Fatalf("ParseHost error does not name the flag: %v", err)
		}
		if p, err := route.ParsePort(s); err == nil && s != "" {
			if (p.Number < 1 || p.Number > 65535) && p.Name == "" || p.String() != s && p.Name != "" {
				t.Fatalf("ParsePort(%q) = %+v", s, p)
			}
		}
		if sel, err := route.ParseSelector(s); err == nil {
			again, err := route.ParseSelector(route.FormatSelector(sel))
			if err != nil || route.FormatSelector(again) != route.FormatSelector(sel) || len(sel) == 0 {
				t.Fatalf("ParseSelector(%q) = %v does not round-trip: %v", s, sel, err)
			}
		}
		_, _ = route.ParseService(s)
		_, _ = route.ParseGatewayRef(s, "default")
	})
}

// matchesFrom reads a list of matches from fuzz input: lines, "=" first
// for an exact match, "~" for a string prefix, a path prefix otherwise.
func matchesFrom(s string) []route.Match {
	var ms []route.Match
	for _, l := range strings.Split(s, "\n") {
		if len(ms) == 50 {
			break
		}
		k := route.Prefix
		if strings.HasPrefix(l, "=") {
			k, l = route.Exact, l[1:]
		} else if strings.HasPrefix(l, "~") {
			k, l = route.StringPrefix, l[1:]
		}
		if _, err := route.ParsePath("prefix", "/"+l); err == nil {
			ms = append(ms, route.Match{Kind: k, Path: "/" + l})
		}
	}
	return ms
}

// FuzzMergeOrder merges routes one service at a time in the given order,
// string prefixes standing for routes an older version wrote (added to the
// list, sorted, unless the path has a route), and checks the invariants:
// the list is sorted most specific first, no route shadows another, each
// path has one route, and nothing is lost.
func FuzzMergeOrder(f *testing.F) {
	f.Add("\nenv", true)
	f.Add("env\n\n=env\nenv/v2\n=", false)
	f.Add("a\nab\nabc\n=a\n=ab\nb", true)
	f.Add("~env\n~envoy\nenv/\n~a/\na\nenvoy", false)
	f.Fuzz(func(t *testing.T, s string, force bool) {
		var routes []*apinet.HTTPRoute
		want := map[route.Match]bool{} // canonical matches
		for i, m := range matchesFrom(s) {
			svc := "svc-" + string(rune('a'+i%26))
			if m.Kind == route.StringPrefix {
				if !want[canonical(m)] {
					routes = append(routes, hr(svc, m))
					SortRoutes(routes)
					want[canonical(m)] = true
				}
				continue
			}
			next, _, err := MergeRoutes(routes, []*apinet.HTTPRoute{hr(svc, m)}, force)
			if err != nil {
				if _, ok := err.(*RouteConflictError); !ok || force || !want[canonical(m)] {
					t.Fatalf("merge %v: %v", m, err)
				}
				continue
			}
			routes = next
			want[canonical(m)] = true
		}
		seen := map[route.Match]bool{}
		keys := make([]routeKey, len(routes))
		for i, r := range routes {
			keys[i] = keyOf(r)
			if c := canonical(keys[i].m); !keys[i].ok || seen[c] {
				t.Fatalf("route %d %v duplicated or unreadable", i, keys[i].m)
			} else {
				seen[c] = true
			}
		}
		if len(seen) != len(want) {
			t.Fatalf("lost routes: have %v, want %v", seen, want)
		}
		if !isSorted(keys) {
			t.Fatalf("not sorted: %v", describe(routes))
		}
		for j, i := range rules.ShadowedBy(routes) {
			if i >= 0 {
				t.Fatalf("route %s shadowed by %s", rules.DescribeMatch(routes[j]), rules.DescribeMatch(routes[i]))
			}
		}
	})
}
