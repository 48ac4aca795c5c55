package envoy

import (
	"regexp"
	"slices"
	"strings"
)

// Covers is whether every request m2 matches is matched by m (so a route
// of m placed before one of m2 takes all its requests). It answers true
// only when that is certain: m asks nothing of headers or query that m2
// does not ask the same way, and m's path takes every path of m2's
// (a string prefix of it, the same exact path, a regex m2's paths all
// start with...).
func (m Match) Covers(m2 Match) bool {
	for _, h := range m.Headers {
		if !slices.Contains(m2.Headers, h) {
			return false
		}
	}
	for _, q := range m.Query {
		if !slices.Contains(m2.Query, q) {
			return false
		}
	}
	if m2.IgnoreCase && !m.IgnoreCase {
		return m.Kind == Prefix && m.Path == "/" || m.Kind == Regex && m.Path == ".*"
	}
	has := func(s, p string) bool {
		if m.IgnoreCase {
			return strings.HasPrefix(strings.ToLower(s), strings.ToLower(p))
		}
		return strings.HasPrefix(s, p)
	}
	// every path of m2 starts with lit (and equals it when exact)
	lit, exact := m2.Path, m2.Kind == Exact
	switch m2.Kind {
	case Regex:
		lit, exact = regexPrefix(m2.Path)
	case SeparatedPrefix:
		exact = false
	}
	switch m.Kind {
	case Prefix:
		return has(lit, m.Path)
	case SeparatedPrefix:
		if m.Path == "/" {
			return true
		}
		if exact {
			return lit == m.Path || has(lit, m.Path+"/")
		}
		// every path of m2 continues lit: lit must already be past a segment end
		return m2.Kind == SeparatedPrefix && (lit == m.Path) || has(lit, m.Path+"/")
	case Exact:
		return exact && lit == m.Path
	case Regex:
		if m.Path == ".*" || m2.Kind == Regex && m2.Path == m.Path {
			return true
		}
		return exact && fullMatch(m.Path, lit)
	}
	return false
}

// regexPrefix is the literal every match of the RE2 expr starts with,
// and whether expr matches only that literal.
func regexPrefix(expr string) (string, bool) {
	re, err := regexp.Compile("^(?:" + expr + ")$")
	if err != nil {
		return "\x00", false // covers nothing, covered by nothing but a catch-all
	}
	return re.LiteralPrefix()
}
