package model

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
)

func route(svc string, m Match) *apinet.HTTPRoute {
	return BuildRoute(RouteTarget{Service: svc, Namespace: "default", Port: 80}, m)
}

func pre(p string) Match { return Match{Kind: Prefix, Path: p} }
func ex(p string) Match  { return Match{Kind: Exact, Path: p} }

// describe is "name match" per route.
func describe(rs []*apinet.HTTPRoute) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.GetName() + " " + DescribeMatch(r)
	}
	return out
}

func TestMergeRoutes(t *testing.T) {
	base := []*apinet.HTTPRoute{route("a", pre("/env")), route("b", pre("/"))}
	cases := []struct {
		name        string
		existing    []*apinet.HTTPRoute
		add         []*apinet.HTTPRoute
		force       bool
		want        []string
		wantChanged bool
		wantErr     string
	}{
		{"into nothing", nil, []*apinet.HTTPRoute{route("a", pre("/env"))}, false, []string{"a prefix /env"}, true, ""},
		{"same again", base, []*apinet.HTTPRoute{route("a", pre("/env"))}, false, []string{"a prefix /env", "b prefix /"}, false, ""},
		{"root never swallows a longer prefix", []*apinet.HTTPRoute{route("b", pre("/"))}, []*apinet.HTTPRoute{route("a", pre("/env"))}, false,
			[]string{"a prefix /env", "b prefix /"}, true, ""},
		{"exact before prefix", base, []*apinet.HTTPRoute{route("c", ex("/"))}, false, []string{"c exact /", "a prefix /env", "b prefix /"}, true, ""},
		{"longer prefix first", base, []*apinet.HTTPRoute{route("c", pre("/env/v2"))}, false,
			[]string{"c prefix /env/v2", "a prefix /env", "b prefix /"}, true, ""},
		{"same service new port replaces", base, []*apinet.HTTPRoute{BuildRoute(RouteTarget{Service: "a", Namespace: "default", Port: 8080}, pre("/env"))}, false,
			[]string{"a prefix /env", "b prefix /"}, true, ""},
		{"other service on the same path", base, []*apinet.HTTPRoute{route("c", pre("/env"))}, false, nil, false,
			`route prefix /env already sends to a.default.svc.cluster.local:80 (route "a"): delete it first or add --force to replace it`},
		{"other service forced", base, []*apinet.HTTPRoute{route("c", pre("/env"))}, true, []string{"c prefix /env", "b prefix /"}, true, ""},
		{"unsorted input gets sorted", []*apinet.HTTPRoute{route("b", pre("/")), route("a", pre("/env"))}, nil, false,
			[]string{"a prefix /env", "b prefix /"}, true, ""},
		{"catch-all stays last", []*apinet.HTTPRoute{{Name: "all"}, route("b", pre("/"))}, []*apinet.HTTPRoute{route("a", pre("/x"))}, false,
			[]string{"a prefix /x", "b prefix /", "all *"}, true, ""},
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

func TestRemoveRoutes(t *testing.T) {
	rs := []*apinet.HTTPRoute{route("a", ex("/x")), route("a", pre("/env")), route("b", pre("/"))}
	kept, n := RemoveRoutes(rs, "a.default.svc.cluster.local", []Match{pre("/env")})
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"a exact /x", "b prefix /"}, describe(kept))
	kept, n = RemoveRoutes(rs, "a.default.svc.cluster.local", nil)
	assert.Equal(t, 2, n)
	assert.Equal(t, []string{"b prefix /"}, describe(kept))
	_, n = RemoveRoutes(rs, "c.default.svc.cluster.local", nil)
	assert.Equal(t, 0, n)
}

func TestShadowedBy(t *testing.T) {
	rs := []*apinet.HTTPRoute{route("b", pre("/")), route("a", pre("/env")), route("c", ex("/x")), route("d", pre("/y"))}
	assert.Equal(t, []int{-1, 0, 0, 0}, ShadowedBy(rs))
	SortRoutes(rs)
	assert.Equal(t, []int{-1, -1, -1, -1}, ShadowedBy(rs))
	assert.Equal(t, []int{-1, 0}, ShadowedBy([]*apinet.HTTPRoute{{Name: "all"}, route("a", ex("/"))}))
}

// bigRoutes is a sorted VirtualService route list of n services.
func bigRoutes(n int) []*apinet.HTTPRoute {
	rs := make([]*apinet.HTTPRoute, n)
	for i := range rs {
		rs[i] = route(fmt.Sprintf("svc-%d", i), pre(fmt.Sprintf("/app/%d", i)))
	}
	SortRoutes(rs)
	return rs
}

// BenchmarkMerge merges one new route into a VirtualService of 1,000
// routes (the bound: under a millisecond of CPU).
func BenchmarkMerge(b *testing.B) {
	existing := bigRoutes(1000)
	add := []*apinet.HTTPRoute{route("new", pre("/app/new"))}
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
	add := []*apinet.HTTPRoute{route("svc-500", pre("/app/500"))}
	b.ReportAllocs()
	for b.Loop() {
		if _, changed, err := MergeRoutes(existing, add, false); err != nil || changed {
			b.Fatal(err, changed)
		}
	}
}
