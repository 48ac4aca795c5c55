// Package envoy is how the gateway's Envoy picks what answers a request,
// over a neutral table that each API's adapter builds from its objects as
// Istio's control plane would: the virtual host by the Host header
// (exact, then the longest "*.suffix", the longest "prefix*", then "*"),
// the first route whose match holds, and what that route does with the
// request (forward with rewrites, redirect, answer directly). It knows
// nothing of either API: the table's routes carry where they came from.
package envoy

import "net/http"

// Request is what matching needs of an HTTP request.
type Request struct {
	Host   string // the Host header as sent (HostOnly for matching)
	Method string
	Path   string // path only
	Query  string // raw query, no '?'
	Header http.Header
	TLS    bool
}

// PathKind is how a route matches the path.
type PathKind int

// The path matches of Envoy's RouteMatch Istio writes.
const (
	Prefix          PathKind = iota // a string prefix: "/env" takes "/envoy"
	Exact                           // the whole path
	SeparatedPrefix                 // a prefix ending at a segment: "/env" takes "/env" and "/env/x", not "/envoy"
	Regex                           // RE2 over the whole path
)

// StringKind is how a string matcher compares.
type StringKind int

// The string matches of Envoy's HeaderMatcher and QueryParameterMatcher.
const (
	StrExact StringKind = iota
	StrPrefix
	StrSuffix
	StrRegex
	StrPresent
	StrContains
)

// StringMatch matches a header or query value.
type StringMatch struct {
	Kind       StringKind
	Value      string
	IgnoreCase bool
}

// HeaderMatch matches a header (or a pseudo-header: ":method",
// ":authority", ":scheme", ":path").
type HeaderMatch struct {
	Name           string
	Match          StringMatch
	Invert         bool
	MissingAsEmpty bool
}

// QueryMatch matches a query parameter.
type QueryMatch struct {
	Name  string
	Match StringMatch
}

// Match is a route's match.
type Match struct {
	Kind       PathKind
	Path       string
	IgnoreCase bool
	Headers    []HeaderMatch
	Query      []QueryMatch
}

// Origin is the object rule a route was made from.
type Origin struct {
	Kind      string // VirtualService or HTTPRoute
	Namespace string
	Name      string
	Rule      int    // index in spec.http / spec.rules
	Match     string // the match, for people ("prefix /api")
	// Route is the Envoy route's name, as pilot names it (the
	// VirtualService rule's name; an HTTPRoute rule's name, else
	// NAMESPACE.NAME.RULE).
	Route string
	// Order says why the route sits where it does, for the shadowed
	// ("created first", "Gateway API precedence: longer prefix").
	Order string
}

// Backend is one destination of a forwarding route.
type Backend struct {
	Host   string // Service FQDN (or an external host)
	Port   uint32 // 0: the Service's only port, else ListenPort
	Weight int32
	// ListenPort is the port of the server the route is for: pilot's
	// cluster port when the destination names none and the Service has
	// not exactly one port (GetDestinationCluster).
	ListenPort uint32
	// Namespace and Name are the Service's, when Host is a Service of the
	// cluster; Missing says why it is not ("no Service default/x").
	Namespace, Name string
	Missing         string
	// Status is the gateway's answer when Missing (503 for Istio, 500 for
	// an invalid Gateway API backend).
	Status int
}

// Forward sends the request on.
type Forward struct {
	Backends      []Backend
	PrefixRewrite string // replaces the matched prefix (or the whole path for exact/regex)
	// RegexRewrite replaces matches of Pattern with Substitution (RE2,
	// \1 for a group).
	RegexPattern, RegexSubstitution string
	HasRegexRewrite                 bool
	HostRewrite                     string
}

// Redirect answers with a redirect.
type Redirect struct {
	Code          int // 301 unless set
	Scheme        string
	Host          string
	Port          uint32
	Path          string // replaces the whole path
	PrefixRewrite string
	HasPrefix     bool
	StripQuery    bool
}

// Direct answers with a status and body.
type Direct struct {
	Status int
	Body   string
}

// Route is one route of a virtual host: a match and one action.
type Route struct {
	Match    Match
	Origin   Origin
	Forward  *Forward
	Redirect *Redirect
	Direct   *Direct
}

// VirtualHost is one virtual host of a route configuration.
type VirtualHost struct {
	Name    string
	Domains []string
	// RequireTLS redirects every plain-HTTP request to https (an Istio
	// server with httpsRedirect).
	RequireTLS bool
	Routes     []Route
}
