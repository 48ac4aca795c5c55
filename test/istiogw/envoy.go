package main

// Matching a request against the Envoy configuration Istio generated, as
// Envoy does it: filter chain by transport and SNI, virtual host by domain,
// the first route whose match holds, then the route's action. Which
// listeners, virtual hosts and routes exist is Istio's decision (pilot.go);
// only their reading is written here.

import (
	"net"
	"regexp"
	"strconv"
	"strings"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

// Request is what matching needs of an HTTP request.
type Request struct {
	Host   string
	Method string
	Path   string // path only
	Query  string // raw query, no '?'
	Header map[string][]string
	TLS    bool
}

// Decision is what Envoy does with a request.
type Decision struct {
	Listener    string `json:"listener"`
	FilterChain string `json:"filterChain,omitempty"`
	RouteConfig string `json:"routeConfig,omitempty"`
	VirtualHost string `json:"virtualHost,omitempty"`
	Route       string `json:"route,omitempty"`
	// Status is set when Envoy answers itself (404, 301, direct response,
	// 503); Cluster and Path are set when it forwards.
	Status   int    `json:"status,omitempty"`
	Reason   string `json:"reason,omitempty"` // route_not_found, cluster_not_found, ...
	Location string `json:"location,omitempty"`
	Body     string `json:"body,omitempty"`
	Cluster  string `json:"cluster,omitempty"`
	Path     string `json:"path,omitempty"` // upstream path (and ?query)
	Host     string `json:"host,omitempty"` // upstream :authority
	// Config is the object the route was made from, as pilot writes it
	// in the route's metadata: /apis/GROUP/VERSION/namespaces/NS/KIND/NAME.
	Config string `json:"config,omitempty"`
}

// Decide routes req that arrived on filter chain fc of listener l.
func Decide(v *View, l *listener.Listener, fc *listener.FilterChain, req Request) Decision {
	d := Decision{Listener: l.GetName(), FilterChain: fc.GetName()}
	h := HCM(fc)
	if h == nil {
		return notFound(d, "no_http_connection_manager")
	}
	rc := h.GetRouteConfig()
	if rc == nil {
		d.RouteConfig = h.GetRds().GetRouteConfigName()
		rc = v.Routes[d.RouteConfig]
	}
	if rc == nil {
		return notFound(d, "route_not_found")
	}
	host := req.Host
	if rc.GetIgnorePortInHostMatching() || h.GetStripAnyHostPort() {
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
		}
	}
	vh := matchVirtualHost(rc, host)
	if vh == nil {
		return notFound(d, "route_not_found")
	}
	d.VirtualHost = vh.GetName()
	if vh.GetRequireTls() != route.VirtualHost_NONE && !req.TLS {
		d.Status, d.Reason = 301, "require_tls"
		d.Location = "https://" + stripDefaultPort(req.Host) + req.Path + query(req.Query)
		return d
	}
	r := matchRoute(vh, req)
	if r == nil {
		return notFound(d, "route_not_found")
	}
	d.Route = r.GetName()
	d.Config = r.GetMetadata().GetFilterMetadata()["istio"].GetFields()["config"].GetStringValue()
	switch a := r.GetAction().(type) {
	case *route.Route_Route:
		return forward(v, d, r, a.Route, req)
	case *route.Route_Redirect:
		return redirect(d, r, a.Redirect, req)
	case *route.Route_DirectResponse:
		d.Status, d.Reason = int(a.DirectResponse.GetStatus()), "direct_response"
		d.Body = a.DirectResponse.GetBody().GetInlineString()
		return d
	}
	return notFound(d, "route_not_found")
}

func notFound(d Decision, reason string) Decision {
	d.Status, d.Reason = 404, reason
	return d
}

func query(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

func stripDefaultPort(host string) string {
	if h, p, err := net.SplitHostPort(host); err == nil && (p == "80" || p == "443") {
		return h
	}
	return host
}

func forward(v *View, d Decision, r *route.Route, a *route.RouteAction, req Request) Decision {
	switch c := a.GetClusterSpecifier().(type) {
	case *route.RouteAction_Cluster:
		d.Cluster = c.Cluster
	case *route.RouteAction_WeightedClusters:
		// The heaviest cluster (the first of equals): deterministic for
		// tests. The view is shared by every request: read it, never sort it.
		var best uint32
		for i, w := range c.WeightedClusters.GetClusters() {
			if i == 0 || w.GetWeight().GetValue() > best {
				d.Cluster, best = w.GetName(), w.GetWeight().GetValue()
			}
		}
	}
	if !v.Clusters[d.Cluster] {
		// Envoy answers cluster_not_found_response_code: 503 unless the
		// route says 500 (pilot does for the Gateway API's routes).
		d.Status, d.Reason = 503, "cluster_not_found"
		if a.GetClusterNotFoundResponseCode() == route.RouteAction_INTERNAL_SERVER_ERROR {
			d.Status = 500
		}
		return d
	}
	if n, eds := v.Endpoints[d.Cluster]; eds && n == 0 {
		// EDS gave the cluster no endpoint it may use (the Service has no
		// ready pods): Envoy answers 503 no healthy upstream (flag UH).
		d.Status, d.Reason, d.Body = 503, "no_healthy_upstream", "no healthy upstream"
		return d
	}
	d.Path = rewritePath(r.GetMatch(), req.Path, a.GetPrefixRewrite(), a.GetRegexRewrite()) + query(req.Query)
	d.Host = req.Host
	if hr := a.GetHostRewriteLiteral(); hr != "" {
		d.Host = hr
	}
	return d
}

func redirect(d Decision, r *route.Route, a *route.RedirectAction, req Request) Decision {
	codes := map[route.RedirectAction_RedirectResponseCode]int{
		route.RedirectAction_MOVED_PERMANENTLY: 301, route.RedirectAction_FOUND: 302,
		route.RedirectAction_SEE_OTHER: 303, route.RedirectAction_TEMPORARY_REDIRECT: 307,
		route.RedirectAction_PERMANENT_REDIRECT: 308,
	}
	d.Status, d.Reason = codes[a.GetResponseCode()], "redirect"
	scheme := "http"
	if req.TLS {
		scheme = "https"
	}
	host := req.Host
	switch {
	case a.GetHttpsRedirect():
		scheme, host = "https", stripDefaultPort(host)
	case a.GetSchemeRedirect() != "":
		scheme, host = a.GetSchemeRedirect(), stripDefaultPort(host)
	}
	if a.GetHostRedirect() != "" {
		host = a.GetHostRedirect()
	}
	if p := a.GetPortRedirect(); p != 0 {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = net.JoinHostPort(host, strconv.Itoa(int(p)))
	}
	path := req.Path
	switch {
	case a.GetPathRedirect() != "":
		path = a.GetPathRedirect()
	case a.GetPrefixRewrite() != "" || a.GetRegexRewrite() != nil:
		path = rewritePath(r.GetMatch(), req.Path, a.GetPrefixRewrite(), a.GetRegexRewrite())
	}
	q := query(req.Query)
	if a.GetStripQuery() {
		q = ""
	}
	d.Location = scheme + "://" + host + path + q
	return d
}

// rewritePath applies prefix_rewrite (the matched prefix, or the whole
// path for exact and regex matches, is swapped) or regex_rewrite.
func rewritePath(m *route.RouteMatch, path, prefix string, rx *matcher.RegexMatchAndSubstitute) string {
	if rx != nil {
		re, err := regexp.Compile(rx.GetPattern().GetRegex())
		if err != nil {
			return path
		}
		return re.ReplaceAllString(path, re2Substitution(rx.GetSubstitution()))
	}
	if prefix == "" {
		return path
	}
	switch p := m.GetPathSpecifier().(type) {
	case *route.RouteMatch_Prefix:
		return prefix + path[len(p.Prefix):]
	case *route.RouteMatch_PathSeparatedPrefix:
		return prefix + path[len(p.PathSeparatedPrefix):]
	}
	return prefix
}

// re2Substitution turns Envoy's substitution (\1 for a group, \\ for a
// backslash) into Go's (${1}, and $$ for a dollar).
func re2Substitution(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			b.WriteString("${" + s[i+1:i+2] + "}")
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
