package rules

import (
	"strings"

	apinet "istio.io/api/networking/v1"
)

// MatchOf reads the path match of a route the tool could have written: a
// path prefix P as the two matches exact P and prefix P/ (in that order;
// "/" as one prefix "/"), one exact path, or one other uri prefix, a string
// prefix (as the tool wrote --prefix before). ok is false for any other
// route.
func MatchOf(r *apinet.HTTPRoute) (Match, bool) {
	switch len(r.GetMatch()) {
	case 1:
		u := plainURI(r.Match[0])
		if p := u.GetPrefix(); p == "/" {
			return Match{Kind: Prefix, Path: p}, true
		} else if p != "" {
			return Match{Kind: StringPrefix, Path: p}, true
		}
		if p := u.GetExact(); p != "" {
			return Match{Kind: Exact, Path: p}, true
		}
	case 2:
		e, p := plainURI(r.Match[0]).GetExact(), plainURI(r.Match[1]).GetPrefix()
		if e != "" && !strings.HasSuffix(e, "/") && p == e+"/" {
			return Match{Kind: Prefix, Path: e}, true
		}
	}
	return Match{}, false
}

// plainURI is the uri of a match request that matches on nothing else, or
// nil.
func plainURI(mr *apinet.HTTPMatchRequest) *apinet.StringMatch {
	if mr == nil || mr.Scheme != nil || mr.Method != nil || mr.Authority != nil ||
		len(mr.Headers) > 0 || mr.Port != 0 || len(mr.SourceLabels) > 0 || len(mr.Gateways) > 0 ||
		len(mr.QueryParams) > 0 || mr.IgnoreUriCase || len(mr.WithoutHeaders) > 0 || mr.SourceNamespace != "" {
		return nil
	}
	return mr.Uri
}

// MatchAll is true for a route without any match: it takes every request.
func MatchAll(r *apinet.HTTPRoute) bool { return r != nil && len(r.Match) == 0 }

// DescribeMatch is a route's match for people: "prefix /env", "exact /x",
// "string-prefix /env" (a plain string prefix: "/env" also takes
// "/envoy"), "*" for a catch-all, or "custom" for matches the tool does not
// write.
func DescribeMatch(r *apinet.HTTPRoute) string {
	if m, ok := MatchOf(r); ok {
		return m.String()
	}
	if MatchAll(r) {
		return "*"
	}
	return "custom"
}

// ShadowedBy returns, for each route of one list, the index of the earlier
// route that takes all its requests (a catch-all, or a match that covers
// its own), or -1: Envoy takes the first route that matches.
func ShadowedBy(routes []*apinet.HTTPRoute) []int {
	out := make([]int, len(routes))
	for j, rj := range routes {
		out[j] = -1
		mj, okj := MatchOf(rj)
		for i, ri := range routes[:j] {
			if mi, oki := MatchOf(ri); MatchAll(ri) || oki && okj && mi.Covers(mj) {
				out[j] = i
				break
			}
		}
	}
	return out
}
