package istio

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	apinet "istio.io/api/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// envoyPath is what Envoy sends upstream for path: the route must match it
// (as Envoy matches uri exact and prefix), its regex rewrite applies to the
// path without the query (RE2: \1 a group, \\ a backslash), rewrite.uri
// replaces the whole path of an exact match.
func envoyPath(t *testing.T, r *apinet.HTTPRoute, path string) string {
	p, query, _ := strings.Cut(path, "?")
	matched := false
	for _, mr := range r.Match {
		matched = matched || mr.Uri.GetExact() == p || mr.Uri.GetPrefix() != "" && strings.HasPrefix(p, mr.Uri.GetPrefix())
	}
	if !matched {
		t.Fatalf("%s does not match %v", p, r.Match)
	}
	if query != "" {
		query = "?" + query
	}
	rx := r.GetRewrite().GetUriRegexRewrite()
	if rx == nil {
		return r.GetRewrite().GetUri() + query
	}
	var tmpl strings.Builder
	for s := rx.Rewrite; s != ""; s = s[1:] {
		switch {
		case s[0] == '\\' && len(s) > 1 && s[1] >= '0' && s[1] <= '9':
			tmpl.WriteString("${" + s[1:2] + "}")
			s = s[1:]
		case s[0] == '\\' && len(s) > 1 && s[1] == '\\':
			tmpl.WriteByte('\\')
			s = s[1:]
		case s[0] == '$':
			tmpl.WriteString("$$")
		default:
			tmpl.WriteByte(s[0])
		}
	}
	return regexp.MustCompile(rx.Match).ReplaceAllString(p, tmpl.String()) + query
}

// TestRewritePaths applies the written rewrite to requests: P is R and
// P/rest is R'/rest, R' being R without its trailing "/".
func TestRewritePaths(t *testing.T) {
	cases := []struct {
		name string
		m    route.Match
		r    string
		want []string // "request → upstream"
	}{
		{"--prefix /api --rewrite /", pre("/api"), "/", []string{"/api → /", "/api/ → /", "/api/x → /x", "/api/x/y?q=1 → /x/y?q=1"}},
		{"--prefix /api --rewrite /v2", pre("/api"), "/v2", []string{"/api → /v2", "/api/ → /v2/", "/api/x → /v2/x", "/api/x/y?q=1 → /v2/x/y?q=1"}},
		{"--prefix /api --rewrite /v2/", pre("/api"), "/v2/", []string{"/api → /v2/", "/api/ → /v2/", "/api/x → /v2/x", "/api/x/y?q=1 → /v2/x/y?q=1"}},
		{"--prefix /api/ is --prefix /api", pre("/api/"), "/v2", []string{"/api → /v2", "/api/ → /v2/", "/api/x → /v2/x"}},
		{"--prefix / --rewrite /", pre("/"), "/", []string{"/ → /", "/x → /x", "/x/y?q=1 → /x/y?q=1"}},
		{"--prefix / --rewrite /v2", pre("/"), "/v2", []string{"/ → /v2/", "/x → /v2/x", "/x/y?q=1 → /v2/x/y?q=1"}},
		{"--prefix / --rewrite /v2/", pre("/"), "/v2/", []string{"/ → /v2/", "/x → /v2/x", "/x/y?q=1 → /v2/x/y?q=1"}},
		{"--prefix /v1.0: the dot is quoted", pre("/v1.0"), "/", []string{"/v1.0 → /", "/v1.0/x → /x"}},
		{"a backslash in the rewrite is kept", pre("/api"), `/a\1`, []string{`/api/x → /a\1/x`}},
		{"--exact /x --rewrite /y", ex("/x"), "/y", []string{"/x → /y", "/x?q=1 → /y?q=1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := BuildRoute(route.RouteTarget{Service: "app", Namespace: "default", Port: 80, Rewrite: c.r}, c.m)
			var got []string
			for _, w := range c.want {
				in, _, _ := strings.Cut(w, " → ")
				got = append(got, in+" → "+envoyPath(t, r, in))
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func TestRewriteOf(t *testing.T) {
	with := func(m route.Match, r string) *apinet.HTTPRoute {
		return BuildRoute(route.RouteTarget{Service: "app", Namespace: "default", Port: 80, Rewrite: r}, m)
	}
	regex := func(r *apinet.HTTPRoute, match, rewrite string) *apinet.HTTPRoute {
		r.Rewrite = &apinet.HTTPRewrite{UriRegexRewrite: &apinet.RegexRewrite{Match: match, Rewrite: rewrite}}
		return r
	}
	cases := []struct {
		name     string
		r        *apinet.HTTPRoute
		want     string
		wantOK   bool
		describe string
	}{
		{"none", with(pre("/api"), ""), "", true, ""},
		{"the tool's regex for --rewrite /", with(pre("/api"), "/"), "/", true, "/"},
		{"the tool's regex for --rewrite /v2", with(pre("/api"), "/v2"), "/v2", true, "/v2"},
		{"the tool's regex for --prefix / --rewrite /v2/", with(pre("/"), "/v2/"), "/v2/", true, "/v2/"},
		{"a backslash", with(pre("/api"), `/a\b`), `/a\b`, true, `/a\b`},
		{"rewrite.uri of an exact", with(ex("/x"), "/y"), "/y", true, "/y"},
		{"rewrite.uri of a string prefix, as written before", with(str("/api"), "/"), "/", true, "/"},
		{"rewrite.uri of a path prefix", func() *apinet.HTTPRoute {
			r := with(pre("/api"), "")
			r.Rewrite = &apinet.HTTPRewrite{Uri: "/v2"}
			return r
		}(), "/v2", true, "/v2"},
		{"another regex", regex(with(pre("/api"), ""), "^/api/(.*)$", `/\1`), "", false, `regex ^/api/(.*)$ /\1`},
		{"the tool's regex of another path", regex(with(pre("/api"), ""), "^/b/?(.*)$", `/\1`), "", false, `regex ^/b/?(.*)$ /\1`},
		{"a regex on an exact", regex(with(ex("/api"), ""), "^/api(/.*)?$", `/v2\1`), "", false, `regex ^/api(/.*)?$ /v2\1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := RewriteOf(c.r)
			assert.Equal(t, c.wantOK, ok)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.describe, describeRewrite(c.r))
		})
	}
}
