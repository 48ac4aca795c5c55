package istio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// TestBuildRoute shows the route written for each flag, whole (to service
// app port 80, the destination left out).
func TestBuildRoute(t *testing.T) {
	pathPrefix := func(p string) string {
		return "match:\n- uri:\n    exact: " + p + "\n- uri:\n    prefix: " + p + "/\nname: app\n"
	}
	cases := []struct {
		name    string
		m       route.Match
		rewrite string
		want    string
	}{
		{"--prefix /env: exact /env and prefix /env/", pre("/env"), "", pathPrefix("/env")},
		{"--prefix /env/ is --prefix /env", pre("/env/"), "", pathPrefix("/env")},
		{"--prefix /", pre("/"), "", `match:
- uri:
    prefix: /
name: app
`},
		{"--prefix /api --rewrite /", pre("/api"), "/", pathPrefix("/api") + `rewrite:
  uriRegexRewrite:
    match: ^/api/?(.*)$
    rewrite: /\1
`},
		{"--prefix /api --rewrite /v2", pre("/api"), "/v2", pathPrefix("/api") + `rewrite:
  uriRegexRewrite:
    match: ^/api(/.*)?$
    rewrite: /v2\1
`},
		{"--prefix /api --rewrite /v2/", pre("/api"), "/v2/", pathPrefix("/api") + `rewrite:
  uriRegexRewrite:
    match: ^/api/?(.*)$
    rewrite: /v2/\1
`},
		{"--prefix / --rewrite /v2", pre("/"), "/v2", `match:
- uri:
    prefix: /
name: app
rewrite:
  uriRegexRewrite:
    match: ^(/.*)?$
    rewrite: /v2\1
`},
		{"--prefix /v1.0: the regex is quoted", pre("/v1.0"), "/", pathPrefix("/v1.0") + `rewrite:
  uriRegexRewrite:
    match: ^/v1\.0/?(.*)$
    rewrite: /\1
`},
		{"--exact /x --rewrite /y", ex("/x"), "/y", `match:
- uri:
    exact: /x
name: app
rewrite:
  uri: /y
`},
		{"a string prefix, as written before", str("/env"), "/v2", `match:
- uri:
    prefix: /env
name: app
rewrite:
  uri: /v2
`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := BuildRoute(route.RouteTarget{Service: "app", Namespace: "default", Port: 80, Rewrite: c.rewrite}, c.m)
			r.Route = nil
			got, err := yaml.Marshal(r)
			require.NoError(t, err)
			assert.Equal(t, c.want, string(got))
		})
	}
}

func TestMatchOf(t *testing.T) {
	uri := func(kind, p string) *apinet.HTTPMatchRequest {
		sm := &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: p}}
		switch kind {
		case "exact":
			sm = &apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: p}}
		case "regex":
			sm = &apinet.StringMatch{MatchType: &apinet.StringMatch_Regex{Regex: p}}
		}
		return &apinet.HTTPMatchRequest{Uri: sm}
	}
	of := func(ms ...*apinet.HTTPMatchRequest) *apinet.HTTPRoute { return &apinet.HTTPRoute{Name: "x", Match: ms} }
	header := uri("prefix", "/")
	header.Headers = map[string]*apinet.StringMatch{"x-canary": {MatchType: &apinet.StringMatch_Exact{Exact: "1"}}}
	cases := []struct {
		name   string
		r      *apinet.HTTPRoute
		want   route.Match
		wantOK bool
	}{
		{"path prefix: exact P and prefix P/", of(uri("exact", "/env"), uri("prefix", "/env/")), pre("/env"), true},
		{"path prefix /: one prefix /", of(uri("prefix", "/")), pre("/"), true},
		{"one prefix other than /: a string prefix", of(uri("prefix", "/env")), str("/env"), true},
		{"one prefix ending in /: a string prefix", of(uri("prefix", "/env/")), str("/env/"), true},
		{"exact", of(uri("exact", "/x")), ex("/x"), true},
		{"the two matches the other way round", of(uri("prefix", "/env/"), uri("exact", "/env")), route.Match{}, false},
		{"exact and prefix of other paths", of(uri("exact", "/a"), uri("prefix", "/b/")), route.Match{}, false},
		{"exact P/ and prefix P//", of(uri("exact", "/env/"), uri("prefix", "/env//")), route.Match{}, false},
		{"two exacts", of(uri("exact", "/a"), uri("exact", "/a/")), route.Match{}, false},
		{"three matches", of(uri("exact", "/a"), uri("prefix", "/a/"), uri("exact", "/b")), route.Match{}, false},
		{"a header match", of(header), route.Match{}, false},
		{"a header match on the exact of a path prefix", of(func() *apinet.HTTPMatchRequest { m := uri("exact", "/env"); m.Headers = header.Headers; return m }(), uri("prefix", "/env/")), route.Match{}, false},
		{"regex", of(uri("regex", "/.*")), route.Match{}, false},
		{"no match: a catch-all", of(), route.Match{}, false},
		{"nil", nil, route.Match{}, false},
		{"what BuildRoute writes for --prefix /env/", hr("a", pre("/env/")), pre("/env"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := rules.MatchOf(c.r)
			assert.Equal(t, c.wantOK, ok)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestDescribeMatch(t *testing.T) {
	assert.Equal(t, []string{"a prefix /env", "a prefix /", "a string-prefix /env", "a exact /x", "all *", "canary custom"},
		describe([]*apinet.HTTPRoute{hr("a", pre("/env")), hr("a", pre("/")), hr("a", str("/env")), hr("a", ex("/x")),
			{Name: "all"}, canary()}))
}
