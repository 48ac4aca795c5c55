package istio

import (
	"fmt"
	"regexp"
	"strings"

	apinet "istio.io/api/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// buildRewrite is how the tool writes --rewrite r for m, nil without r.
// An exact or string prefix match gets rewrite.uri r (Envoy replaces the
// whole path, or the matched prefix). A path prefix P gets a regex (Envoy
// regex_rewrite, RE2, on the path without the query), the two matches
// sharing it: P becomes r and P/rest becomes r'/rest, r' being r without
// its trailing "/" ("--prefix /api --rewrite /": /api/v is /v, /api is /).
func buildRewrite(m route.Match, r string) *apinet.HTTPRewrite {
	if r == "" {
		return nil
	}
	if m.Kind != route.Prefix {
		return &apinet.HTTPRewrite{Uri: r}
	}
	p := regexp.QuoteMeta(strings.TrimSuffix(trimSlash(m.Path), "/"))
	rx := &apinet.RegexRewrite{Match: "^" + p + "(/.*)?$", Rewrite: escapeRewrite(r) + `\1`}
	if strings.HasSuffix(r, "/") {
		rx.Match = "^" + p + "/?(.*)$"
	}
	return &apinet.HTTPRewrite{UriRegexRewrite: rx}
}

// escapeRewrite quotes the backslashes of r for an RE2 rewrite string.
func escapeRewrite(r string) string { return strings.ReplaceAll(r, `\`, `\\`) }

// RewriteOf is the --rewrite a route was written with: its rewrite.uri as
// is, or r of the regex buildRewrite writes for its path prefix; "" when it
// has none. ok is false for a rewrite the tool does not write (another
// regex).
func RewriteOf(hr *apinet.HTTPRoute) (r string, ok bool) {
	rw := hr.GetRewrite()
	rx := rw.GetUriRegexRewrite()
	if rx == nil {
		return rw.GetUri(), true
	}
	m, ok := rules.MatchOf(hr)
	esc, cut := strings.CutSuffix(rx.GetRewrite(), `\1`)
	if !ok || m.Kind != route.Prefix || !cut || rw.GetUri() != "" {
		return "", false
	}
	r = strings.ReplaceAll(esc, `\\`, `\`)
	if !samePathRewrite(rw, buildRewrite(m, r)) {
		return "", false
	}
	return r, true
}

// describeRewrite is a route's rewrite for people: the --rewrite it was
// written with, or "regex MATCH REWRITE" for another regex.
func describeRewrite(route *apinet.HTTPRoute) string {
	if r, ok := RewriteOf(route); ok {
		return r
	}
	rx := route.GetRewrite().GetUriRegexRewrite()
	return fmt.Sprintf("regex %s %s", rx.GetMatch(), rx.GetRewrite())
}

// samePathRewrite is true when a and b rewrite the path alike, written in
// the same form.
func samePathRewrite(a, b *apinet.HTTPRewrite) bool {
	ax, bx := a.GetUriRegexRewrite(), b.GetUriRegexRewrite()
	return a.GetUri() == b.GetUri() && (ax == nil) == (bx == nil) &&
		ax.GetMatch() == bx.GetMatch() && ax.GetRewrite() == bx.GetRewrite()
}
