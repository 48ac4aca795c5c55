package rules

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCovers(t *testing.T) {
	cases := []struct {
		name string
		a, b Match
		want bool
	}{
		{"exact covers itself", ex("/x"), ex("/x"), true},
		{"exact covers no other exact", ex("/x"), ex("/x/"), false},
		{"exact covers no prefix", ex("/env"), pre("/env"), false},
		{"path prefix covers its exact", pre("/env"), ex("/env"), true},
		{"path prefix covers an exact below", pre("/env"), ex("/env/x"), true},
		{"path prefix does not cover /envoy", pre("/env"), ex("/envoy"), false},
		{"path prefix covers itself", pre("/env"), pre("/env"), true},
		{"path prefix covers a path prefix below", pre("/env"), pre("/env/v2"), true},
		{"path prefix /env does not cover path prefix /envoy", pre("/env"), pre("/envoy"), false},
		{"path prefix covers a string prefix below", pre("/env"), str("/env/v2"), true},
		{"path prefix covers the string prefix P/", pre("/env"), str("/env/"), true},
		{"path prefix does not cover the string prefix of its path", pre("/env"), str("/env"), false},
		{"path prefix /env does not cover string prefix /envoy", pre("/env"), str("/envoy"), false},
		{"path prefix / covers every exact", pre("/"), ex("/x"), true},
		{"path prefix / covers every path prefix", pre("/"), pre("/env"), true},
		{"path prefix / covers every string prefix", pre("/"), str("/e"), true},
		{"string prefix covers /envoy", str("/env"), ex("/envoy"), true},
		{"string prefix covers the path prefix of its path", str("/env"), pre("/env"), true},
		{"string prefix /env covers path prefix /envoy", str("/env"), pre("/envoy"), true},
		{"string prefix covers a longer string prefix", str("/env"), str("/envoy"), true},
		{"string prefix covers no shorter path", str("/env/"), pre("/env"), false},
		{"string prefix covers no other path", str("/env"), ex("/en"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.a.Covers(c.b))
		})
	}
}

// matchesPath is whether Envoy sends path to a route of m.
func matchesPath(m Match, path string) bool {
	switch m.Kind {
	case Exact:
		return path == m.Path
	case Prefix:
		return m.Path == "/" || path == m.Path || strings.HasPrefix(path, m.Path+"/")
	}
	return strings.HasPrefix(path, m.Path)
}

// someMatches are matches of every kind on paths that nest, share
// characters, or end in "/".
func someMatches() []Match {
	var out []Match
	for _, p := range []string{"/", "/e", "/env", "/env/", "/envoy", "/env/v2", "/env.bak", "/f"} {
		out = append(out, ex(p), str(p))
		if !strings.HasSuffix(p, "/") || p == "/" {
			out = append(out, pre(p))
		}
	}
	return out
}

// TestCoversAndBefore checks Covers against the paths each match takes,
// and that Before puts a match before every match that covers it.
func TestCoversAndBefore(t *testing.T) {
	ms := someMatches()
	var paths []string
	for _, m := range ms {
		paths = append(paths, m.Path, m.Path+"/", m.Path+"/x", m.Path+"x", m.Path+"0")
	}
	for _, a := range ms {
		for _, b := range ms {
			if a == str("/") || b == str("/") {
				continue // read as path prefix / (MatchOf)
			}
			covers := true
			for _, p := range paths {
				covers = covers && (!matchesPath(b, p) || matchesPath(a, p))
			}
			assert.Equal(t, covers, a.Covers(b), "%v covers %v", a, b)
			if a != b {
				assert.NotEqual(t, Before(a, b), Before(b, a), "%v and %v: a total order", a, b)
				if a.Covers(b) {
					assert.True(t, Before(b, a), "%v comes before %v, which covers it", b, a)
				}
			}
		}
	}
}

func TestBefore(t *testing.T) {
	ms := []Match{pre("/"), str("/env"), ex("/"), pre("/envoy"), pre("/env"), str("/env/"), ex("/env/x"), pre("/a")}
	for i := 1; i < len(ms); i++ { // insertion sort by Before
		for j := i; j > 0 && Before(ms[j], ms[j-1]); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
	assert.Equal(t, []Match{ex("/env/x"), ex("/"), pre("/envoy"), str("/env/"), pre("/env"), str("/env"), pre("/a"), pre("/")}, ms)
}

func pre(p string) Match { return Match{Kind: Prefix, Path: p} }
func ex(p string) Match  { return Match{Kind: Exact, Path: p} }
func str(p string) Match { return Match{Kind: StringPrefix, Path: p} }
