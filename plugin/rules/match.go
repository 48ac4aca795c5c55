package rules

import "strings"

// MatchKind is how a route matches the request path.
type MatchKind int

// The kinds of path match. Prefix is a path prefix, as Kubernetes Ingress
// pathType Prefix and Gateway API PathPrefix: P matches P, P/ and P/...,
// never P followed by other characters ("/env" is not "/envoy"), and a
// trailing "/" of P is ignored ("/env/" is "/env"). StringPrefix is a plain
// string prefix, Istio's uri.prefix: how the tool wrote --prefix before; it
// reads such routes to list, delete and upgrade them, never writes one.
const (
	Exact MatchKind = iota
	Prefix
	StringPrefix
)

// Match is a route's path match: the only kind of match the tool writes.
type Match struct {
	Kind MatchKind
	Path string
}

// String is "exact /x", "prefix /env" or "string-prefix /env".
func (m Match) String() string {
	switch m.Kind {
	case Exact:
		return "exact " + m.Path
	case StringPrefix:
		return "string-prefix " + m.Path
	}
	return "prefix " + m.Path
}

// Covers is true when every request m2 matches is matched by m first (as
// MatchOf reads them: a path prefix without its trailing "/").
func (m Match) Covers(m2 Match) bool {
	switch m.Kind {
	case Exact:
		return m2.Kind == Exact && m2.Path == m.Path
	case Prefix:
		if m.Path == "/" {
			return true
		}
		below := strings.HasPrefix(m2.Path, m.Path+"/")
		return below || m2.Kind != StringPrefix && m2.Path == m.Path
	}
	return strings.HasPrefix(m2.Path, m.Path)
}

// Before is the route order: exact before prefixes, longer path before
// shorter, a path prefix before the string prefix of the same path (which
// covers it), then by path so that the order is total. A match comes before
// every other match that covers it, so a sorted list shadows nothing.
func Before(a, b Match) bool {
	if (a.Kind == Exact) != (b.Kind == Exact) {
		return a.Kind == Exact
	}
	if len(a.Path) != len(b.Path) {
		return len(a.Path) > len(b.Path)
	}
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	return a.Kind < b.Kind
}
