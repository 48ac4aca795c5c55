package envoy

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCovers checks Covers against Holds: when m covers m2, every path
// of a sample that m2 matches is matched by m; and a few known answers.
func TestCovers(t *testing.T) {
	p := func(k PathKind, s string) Match { return Match{Kind: k, Path: s} }
	hdr := HeaderMatch{Name: "x-team", Match: StringMatch{Kind: StrExact, Value: "a"}}
	withHeader := func(m Match) Match { m.Headers = []HeaderMatch{hdr}; return m }
	known := []struct {
		a, b Match
		want bool
	}{
		{p(Prefix, "/e"), p(Prefix, "/env"), true},
		{p(Prefix, "/env"), p(Prefix, "/e"), false},
		{p(SeparatedPrefix, "/env"), p(Prefix, "/envoy"), false},
		{p(SeparatedPrefix, "/env"), p(Exact, "/env"), true},
		{p(SeparatedPrefix, "/env"), p(SeparatedPrefix, "/env/x"), true},
		{p(SeparatedPrefix, "/env"), p(Prefix, "/env"), false},
		{p(Prefix, "/api"), p(Regex, "/api/v[0-9]+"), true},
		{p(Regex, "/api/v[0-9]+"), p(Exact, "/api/v2"), true},
		{p(Regex, "/api/v[0-9]+"), p(Prefix, "/api/v2"), false},
		{p(Exact, "/x"), p(Exact, "/x"), true},
		{withHeader(p(Prefix, "/")), p(Prefix, "/x"), false},
		{p(Prefix, "/"), withHeader(p(Prefix, "/x")), true},
	}
	for _, c := range known {
		assert.Equal(t, c.want, c.a.Covers(c.b), "%+v covers %+v", c.a, c.b)
	}
	paths := []string{"/", "/e", "/env", "/env/", "/env/x", "/envoy", "/api", "/api/v1", "/api/v12/x", "/shop", "/shop/cart", "/x", "/abc"}
	matches := []Match{p(Prefix, "/"), p(Prefix, "/e"), p(Prefix, "/env"), p(SeparatedPrefix, "/env"), p(SeparatedPrefix, "/api"),
		p(Exact, "/env"), p(Exact, "/api/v1"), p(Regex, "/api/v[0-9]+"), p(Regex, "/[a-z]+"), p(Regex, ".*"), p(Prefix, "/api/"), p(Regex, "/shop.*")}
	rng := rand.New(rand.NewSource(1))
	for range 2000 {
		a, b := matches[rng.Intn(len(matches))], matches[rng.Intn(len(matches))]
		if !a.Covers(b) {
			continue
		}
		for _, path := range paths {
			req := Request{Path: path, Method: "GET"}
			if b.Holds(req) {
				assert.True(t, a.Holds(req), "%+v covers %+v, but %s is matched by the second only", a, b, path)
			}
		}
	}
}
