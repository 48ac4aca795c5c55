package main

import (
	"testing"

	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// The matching rules are Envoy's (route_components.proto), checked on the
// shapes Istio writes for the tool's routes.
func TestRouteMatches(t *testing.T) {
	prefix := func(p string) *route.RouteMatch {
		return &route.RouteMatch{PathSpecifier: &route.RouteMatch_Prefix{Prefix: p}}
	}
	exact := func(p string) *route.RouteMatch {
		return &route.RouteMatch{PathSpecifier: &route.RouteMatch_Path{Path: p}}
	}
	sep := func(p string) *route.RouteMatch {
		return &route.RouteMatch{PathSpecifier: &route.RouteMatch_PathSeparatedPrefix{PathSeparatedPrefix: p}}
	}
	regex := func(r string) *route.RouteMatch {
		return &route.RouteMatch{PathSpecifier: &route.RouteMatch_SafeRegex{SafeRegex: &matcher.RegexMatcher{Regex: r}}}
	}
	tests := []struct {
		name  string
		m     *route.RouteMatch
		path  string
		match bool
	}{
		{"string prefix takes /envoy", prefix("/env"), "/envoy", true},
		{"prefix /env/ leaves /env", prefix("/env/"), "/env", false},
		{"prefix /env/ takes /env/x", prefix("/env/"), "/env/x", true},
		{"exact", exact("/env"), "/env", true},
		{"exact is whole", exact("/env"), "/env/", false},
		{"path separated prefix leaves /envoy", sep("/env"), "/envoy", false},
		{"path separated prefix takes /env/x", sep("/env"), "/env/x", true},
		{"path separated prefix takes /env", sep("/env"), "/env", true},
		{"regex is a full match", regex("/a+"), "/aab", false},
		{"regex", regex("/a+b"), "/aab", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := routeMatches(tt.m, Request{Path: tt.path}); got != tt.match {
				t.Errorf("match %v on %q = %v, want %v", tt.m, tt.path, got, tt.match)
			}
		})
	}
}

func TestRewritePath(t *testing.T) {
	tests := []struct {
		name, path, prefix string
		m                  *route.RouteMatch
		rx                 *matcher.RegexMatchAndSubstitute
		want               string
	}{
		// istio/istio#26828: prefix_rewrite swaps only the matched prefix.
		{"prefix rewrite keeps the rest", "/api/version", "/", &route.RouteMatch{PathSpecifier: &route.RouteMatch_Prefix{Prefix: "/api"}}, nil, "//version"},
		{"exact match: the whole path", "/api", "/", &route.RouteMatch{PathSpecifier: &route.RouteMatch_Path{Path: "/api"}}, nil, "/"},
		{"regex rewrite with a group", "/api/version", "", nil,
			&matcher.RegexMatchAndSubstitute{Pattern: &matcher.RegexMatcher{Regex: `^/api/?(.*)$`}, Substitution: `/\1`}, "/version"},
		{"regex rewrite of the bare prefix", "/api", "", nil,
			&matcher.RegexMatchAndSubstitute{Pattern: &matcher.RegexMatcher{Regex: `^/api(/.*)?$`}, Substitution: `/v2\1`}, "/v2"},
		{"a dollar is literal", "/a", "", nil,
			&matcher.RegexMatchAndSubstitute{Pattern: &matcher.RegexMatcher{Regex: `^/a$`}, Substitution: `/$x`}, "/$x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rewritePath(tt.m, tt.path, tt.prefix, tt.rx); got != tt.want {
				t.Errorf("rewrite %q = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestMatchVirtualHost(t *testing.T) {
	rc := &route.RouteConfiguration{VirtualHosts: []*route.VirtualHost{
		{Name: "any", Domains: []string{"*"}},
		{Name: "wild", Domains: []string{"*.example.com"}},
		{Name: "deep", Domains: []string{"*.a.example.com"}},
		{Name: "exact", Domains: []string{"flask.example.com", "flask.example.com:80"}},
	}}
	for host, want := range map[string]string{
		"flask.example.com":    "exact",
		"FLASK.example.com":    "exact",
		"flask.example.com:80": "exact",
		"x.example.com":        "wild",
		"x.a.example.com":      "deep",
		"example.com":          "any",
		"other.org":            "any",
	} {
		if got := matchVirtualHost(rc, host); got.GetName() != want {
			t.Errorf("host %q: virtual host %q, want %q", host, got.GetName(), want)
		}
	}
}
