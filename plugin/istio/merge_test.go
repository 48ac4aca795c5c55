package istio

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

func hr(svc string, m route.Match) *apinet.HTTPRoute {
	return BuildRoute(route.RouteTarget{Service: svc, Namespace: "default", Port: 80}, m)
}

func pre(p string) route.Match { return route.Match{Kind: route.Prefix, Path: p} }
func ex(p string) route.Match  { return route.Match{Kind: route.Exact, Path: p} }

// describe is "name match" per route.
func describe(rs []*apinet.HTTPRoute) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.GetName() + " " + rules.DescribeMatch(r)
	}
	return out
}

func TestMergeRoutes(t *testing.T) {
	base := []*apinet.HTTPRoute{hr("a", pre("/env")), hr("b", pre("/"))}
	legacy := []*apinet.HTTPRoute{hr("a", str("/env")), hr("b", pre("/"))}
	web := hr("web", pre("/"))
	cases := []struct {
		name        string
		existing    []*apinet.HTTPRoute
		add         []*apinet.HTTPRoute
		force       bool
		want        []string
		wantChanged bool
		wantErr     string
	}{
		{"into nothing", nil, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false, []string{"a prefix /env"}, true, ""},
		{"same again", base, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false, []string{"a prefix /env", "b prefix /"}, false, ""},
		{"root never swallows a longer prefix", []*apinet.HTTPRoute{hr("b", pre("/"))}, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false,
			[]string{"a prefix /env", "b prefix /"}, true, ""},
		{"exact before prefix", base, []*apinet.HTTPRoute{hr("c", ex("/"))}, false, []string{"c exact /", "a prefix /env", "b prefix /"}, true, ""},
		{"longer prefix first", base, []*apinet.HTTPRoute{hr("c", pre("/env/v2"))}, false,
			[]string{"c prefix /env/v2", "a prefix /env", "b prefix /"}, true, ""},
		{"/envoy is another path than /env", base, []*apinet.HTTPRoute{hr("c", pre("/envoy"))}, false,
			[]string{"c prefix /envoy", "a prefix /env", "b prefix /"}, true, ""},
		{"same service new port replaces", base, []*apinet.HTTPRoute{BuildRoute(route.RouteTarget{Service: "a", Namespace: "default", Port: 8080}, pre("/env"))}, false,
			[]string{"a prefix /env", "b prefix /"}, true, ""},
		{"other service on the same path", base, []*apinet.HTTPRoute{hr("c", pre("/env"))}, false, nil, false,
			`route prefix /env already sends to a.default.svc.cluster.local:80 (route "a"): delete it first or add --force to replace it`},
		{"--prefix /env/ is the route of /env", base, []*apinet.HTTPRoute{hr("c", pre("/env/"))}, false, nil, false,
			`route prefix /env already sends to a.default.svc.cluster.local:80 (route "a"): delete it first or add --force to replace it`},
		{"other service forced", base, []*apinet.HTTPRoute{hr("c", pre("/env"))}, true, []string{"c prefix /env", "b prefix /"}, true, ""},
		{"unsorted input gets sorted", []*apinet.HTTPRoute{hr("b", pre("/")), hr("a", pre("/env"))}, nil, false,
			[]string{"a prefix /env", "b prefix /"}, true, ""},

		{"a string prefix the tool wrote before is upgraded", legacy, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false,
			[]string{"a prefix /env", "b prefix /"}, true, ""},
		{"so is one written for --prefix /env/", []*apinet.HTTPRoute{hr("a", str("/env/")), hr("b", pre("/"))}, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false,
			[]string{"a prefix /env", "b prefix /"}, true, ""},
		{"a string prefix next to its path prefix goes", []*apinet.HTTPRoute{hr("a", pre("/env")), hr("a", str("/env")), hr("b", pre("/"))},
			[]*apinet.HTTPRoute{hr("a", pre("/env"))}, false, []string{"a prefix /env", "b prefix /"}, true, ""},
		{"another service's string prefix of the path conflicts", legacy, []*apinet.HTTPRoute{hr("c", pre("/env"))}, false, nil, false,
			`route string-prefix /env already sends to a.default.svc.cluster.local:80 (route "a"): delete it first or add --force to replace it`},
		{"another service's string prefix forced", legacy, []*apinet.HTTPRoute{hr("c", pre("/env"))}, true, []string{"c prefix /env", "b prefix /"}, true, ""},
		{"a string prefix of another path stays, sorted", legacy, []*apinet.HTTPRoute{hr("c", pre("/envoy"))}, false,
			[]string{"c prefix /envoy", "a string-prefix /env", "b prefix /"}, true, ""},
		{"a path prefix before the string prefix of its path", []*apinet.HTTPRoute{hr("a", str("/env/v2")), hr("b", pre("/"))},
			[]*apinet.HTTPRoute{hr("c", pre("/env/v2")), hr("c", pre("/env/v"))}, false, nil, false,
			`route string-prefix /env/v2 already sends to a.default.svc.cluster.local:80 (route "a"): delete it first or add --force to replace it`},

		{"a catch-all keeps its place: the new route goes before it", []*apinet.HTTPRoute{{Name: "all"}, hr("b", pre("/"))}, []*apinet.HTTPRoute{hr("a", pre("/x"))}, false,
			[]string{"a prefix /x", "all *", "b prefix /"}, true, ""},
		{"a route the tool cannot read keeps its place before /", []*apinet.HTTPRoute{canary(), web}, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false,
			[]string{"a prefix /env", "canary custom", "web prefix /"}, true, ""},
		{"after the routes it comes after, before the others", []*apinet.HTTPRoute{hr("x", ex("/x")), canary(), hr("e", pre("/env")), web},
			[]*apinet.HTTPRoute{hr("a", pre("/a")), hr("v", pre("/env/v2"))}, false,
			[]string{"x exact /x", "v prefix /env/v2", "canary custom", "e prefix /env", "a prefix /a", "web prefix /"}, true, ""},
		{"never after the route that covers it", []*apinet.HTTPRoute{web, canary(), hr("x", ex("/x"))}, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false,
			[]string{"a prefix /env", "web prefix /", "canary custom", "x exact /x"}, true, ""},
		{"replaced in place among routes that keep their order", []*apinet.HTTPRoute{canary(), hr("a", str("/env")), web}, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false,
			[]string{"canary custom", "a prefix /env", "web prefix /"}, true, ""},
		{"unchanged among routes that keep their order", []*apinet.HTTPRoute{canary(), hr("a", pre("/env")), web}, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false,
			[]string{"canary custom", "a prefix /env", "web prefix /"}, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := describe(c.existing)
			got, changed, err := MergeRoutes(c.existing, c.add, c.force)
			assert.Equal(t, before, describe(c.existing), "input must not change")
			if c.wantErr != "" {
				assert.EqualError(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, describe(got))
			assert.Equal(t, c.wantChanged, changed)
		})
	}
}

// TestMergeRoutesKeepOrder: in a VirtualService that is not the tool's no
// route moves, even when the tool reads them all.
func TestMergeRoutesKeepOrder(t *testing.T) {
	existing := []*apinet.HTTPRoute{hr("web", pre("/")), hr("v", pre("/env/v2"))}
	got, changed, err := mergeRoutes(existing, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false, true)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, []string{"a prefix /env", "web prefix /", "v prefix /env/v2"}, describe(got))
	got, _, err = MergeRoutes(existing, []*apinet.HTTPRoute{hr("a", pre("/env"))}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"v prefix /env/v2", "a prefix /env", "web prefix /"}, describe(got), "the tool's are sorted")
}

// TestMergeRoutesRewrite: a route whose rewrite is written in another form
// than now is rewritten, and compared whole.
func TestMergeRoutesRewrite(t *testing.T) {
	to := route.RouteTarget{Service: "a", Namespace: "default", Port: 80, Rewrite: "/v2"}
	old := BuildRoute(to, pre("/"))
	old.Rewrite = &apinet.HTTPRewrite{Uri: "/v2"} // how --prefix / --rewrite /v2 was written
	cases := []struct {
		name        string
		existing    *apinet.HTTPRoute
		wantChanged bool
	}{
		{"written as now", BuildRoute(to, pre("/")), false},
		{"rewrite.uri of a path prefix", old, true},
		{"another rewrite", BuildRoute(route.RouteTarget{Service: "a", Namespace: "default", Port: 80, Rewrite: "/v1"}, pre("/")), true},
		{"no rewrite", hr("a", pre("/")), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, changed, err := MergeRoutes([]*apinet.HTTPRoute{c.existing}, []*apinet.HTTPRoute{BuildRoute(to, pre("/"))}, false)
			require.NoError(t, err)
			assert.Equal(t, c.wantChanged, changed)
			assert.Equal(t, []*apinet.HTTPRoute{BuildRoute(to, pre("/"))}, got)
		})
	}
}

func TestRemoveRoutes(t *testing.T) {
	rs := []*apinet.HTTPRoute{hr("a", ex("/x")), hr("a", pre("/env/v2")), hr("a", str("/envoy")), hr("a", str("/env/")), hr("a", pre("/env")),
		hr("a", str("/env")), hr("b", pre("/"))}
	const host = "a.default.svc.cluster.local"
	cases := []struct {
		name        string
		host        string
		matches     []route.Match
		want        []string
		wantRemoved int
	}{
		{"a path prefix and the string prefixes written for it", host, []route.Match{pre("/env")},
			[]string{"a exact /x", "a prefix /env/v2", "a string-prefix /envoy", "b prefix /"}, 3},
		{"--prefix /env/ is /env", host, []route.Match{pre("/env/")},
			[]string{"a exact /x", "a prefix /env/v2", "a string-prefix /envoy", "b prefix /"}, 3},
		{"an exact", host, []route.Match{ex("/x")},
			[]string{"a prefix /env/v2", "a string-prefix /envoy", "a string-prefix /env/", "a prefix /env", "a string-prefix /env", "b prefix /"}, 1},
		{"every route of the host", host, nil, []string{"b prefix /"}, 6},
		{"another host", "c.default.svc.cluster.local", nil, describe(rs), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kept, n := RemoveRoutes(rs, c.host, c.matches)
			assert.Equal(t, c.want, describe(kept))
			assert.Equal(t, c.wantRemoved, n)
		})
	}
}

func TestShadowedBy(t *testing.T) {
	cases := []struct {
		name   string
		routes []*apinet.HTTPRoute
		want   []int
	}{
		{"/ first shadows everything", []*apinet.HTTPRoute{hr("b", pre("/")), hr("a", pre("/env")), hr("c", ex("/x")), hr("d", pre("/y"))}, []int{-1, 0, 0, 0}},
		{"sorted, none", []*apinet.HTTPRoute{hr("c", ex("/x")), hr("a", pre("/env")), hr("d", pre("/y")), hr("b", pre("/"))}, []int{-1, -1, -1, -1}},
		{"a catch-all shadows what follows", []*apinet.HTTPRoute{{Name: "all"}, hr("a", ex("/"))}, []int{-1, 0}},
		{"path prefix /env does not shadow /envoy", []*apinet.HTTPRoute{hr("a", pre("/env")), hr("b", pre("/envoy")), hr("c", ex("/envoy/x")), hr("d", str("/env.bak"))}, []int{-1, -1, 1, -1}},
		{"string prefix /env shadows /envoy", []*apinet.HTTPRoute{hr("a", str("/env")), hr("b", pre("/envoy")), hr("c", str("/envoy")), hr("d", ex("/envoy"))}, []int{-1, 0, 0, 0}},
		{"string prefix /env shadows path prefix /env", []*apinet.HTTPRoute{hr("a", str("/env")), hr("b", pre("/env"))}, []int{-1, 0}},
		{"path prefix /env does not shadow string prefix /env", []*apinet.HTTPRoute{hr("a", pre("/env")), hr("b", str("/env"))}, []int{-1, -1}},
		{"path prefix /env shadows exact /env and string prefix /env/", []*apinet.HTTPRoute{hr("a", pre("/env")), hr("b", ex("/env")), hr("c", str("/env/"))}, []int{-1, 0, 0}},
		{"a custom route shadows nothing known", []*apinet.HTTPRoute{canary(), hr("a", pre("/env"))}, []int{-1, -1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, rules.ShadowedBy(c.routes))
		})
	}
}

func TestSortRoutes(t *testing.T) {
	rs := []*apinet.HTTPRoute{{Name: "all"}, hr("b", pre("/")), hr("a", str("/env")), canary(), hr("c", pre("/env")), hr("d", ex("/x")), hr("e", pre("/envoy"))}
	SortRoutes(rs)
	assert.Equal(t, []string{"d exact /x", "e prefix /envoy", "c prefix /env", "a string-prefix /env", "b prefix /", "all *", "canary custom"}, describe(rs))
}

// bigRoutes is a sorted VirtualService route list of n services.
func bigRoutes(n int) []*apinet.HTTPRoute {
	rs := make([]*apinet.HTTPRoute, n)
	for i := range rs {
		rs[i] = hr(fmt.Sprintf("svc-%d", i), pre(fmt.Sprintf("/app/%d", i)))
	}
	SortRoutes(rs)
	return rs
}

// BenchmarkMerge merges one new route into a VirtualService of 1,000
// routes (the bound: under a millisecond of CPU).
func BenchmarkMerge(b *testing.B) {
	existing := bigRoutes(1000)
	add := []*apinet.HTTPRoute{hr("new", pre("/app/new"))}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := MergeRoutes(existing, add, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMergeUnchanged is the idempotent re-run on 1,000 routes.
func BenchmarkMergeUnchanged(b *testing.B) {
	existing := bigRoutes(1000)
	add := []*apinet.HTTPRoute{hr("svc-500", pre("/app/500"))}
	b.ReportAllocs()
	for b.Loop() {
		if _, changed, err := MergeRoutes(existing, add, false); err != nil || changed {
			b.Fatal(err, changed)
		}
	}
}

func str(p string) route.Match { return route.Match{Kind: route.StringPrefix, Path: p} }

// canary is a route the tool cannot read: requests with x-canary to
// web-canary.
func canary() *apinet.HTTPRoute {
	r := hr("canary", pre("/"))
	r.Match[0].Headers = map[string]*apinet.StringMatch{"x-canary": {MatchType: &apinet.StringMatch_Exact{Exact: "1"}}}
	r.Route[0].Destination.Host = "web-canary.default.svc.cluster.local"
	return r
}
