// Package diagnose finishes explain's walk over the table an adapter built
// (package envoy) and looks backends up in the cluster.
package diagnose

import (
	"fmt"
	"strings"

	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Target is what a backend stands for in the cluster: its Service port
// and ready endpoints, or why the gateway cannot send to it.
type Target struct {
	Port    int32 // the Service port
	Ready   int   // ready endpoints behind it
	Problem string
	Status  int // the gateway's answer when Problem is set (503, or 500)
	Fix     string
}

// Walker finishes a walk over one server's virtual hosts: the adapters
// build the table and say how backends resolve and why one rule comes
// before another.
type Walker struct {
	VirtualHosts []envoy.VirtualHost
	// Resolve looks a backend up in the cluster.
	Resolve func(envoy.Backend) Target
	// Why says why winner comes before loser, both matching the request
	// ("created earlier", "Gateway API precedence: longer prefix").
	Why func(winner, loser envoy.Origin) string
}

// Walk fills e from the virtual host that req reaches onwards.
func (w Walker) Walk(e *route.Explanation, req envoy.Request) {
	host := envoy.HostOnly(req.Host)
	vi := envoy.VirtualHostFor(w.VirtualHosts, host)
	if vi < 0 {
		e.Outcome, e.Status = route.OutcomeNotFound, 404
		e.Reason = fmt.Sprintf("no virtual host for Host %q on this server: the gateway answers 404", host)
		served := w.served()
		e.Fix = "hosts served here: " + orNone(served) + "; expose the Service for this host or request one of these"
		e.Hop("virtual host: none for %q (served: %s)", host, orNone(served))
		return
	}
	vh := w.VirtualHosts[vi]
	e.Hop("virtual host %s (domains %s)", vh.Name, strings.Join(vh.Domains, ", "))
	if vh.RequireTLS && !req.TLS {
		e.Outcome = route.OutcomeRedirected
		e.Redirect, e.Status = envoy.Location(nil, req)
		e.Reason = fmt.Sprintf("the server redirects plain HTTP to HTTPS: %d to %s", e.Status, e.Redirect)
		e.Hop("httpsRedirect: %d %s", e.Status, e.Redirect)
		return
	}
	m := envoy.Matching(vh, req)
	if len(m) == 0 {
		e.Outcome, e.Status = route.OutcomeNotFound, 404
		e.Reason = fmt.Sprintf("no rule of virtual host %s matches %s %s: the gateway answers 404", vh.Name, req.Method, req.Path)
		e.Fix = "rules in order: " + w.rules(vh)
		e.Hop("rules: none matches %s %s (in order: %s)", req.Method, req.Path, w.rules(vh))
		return
	}
	r := vh.Routes[m[0]]
	o := r.Origin
	e.Route = &route.ExplainRoute{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, Rule: o.Rule, Match: o.Match, EnvoyRoute: o.Route}
	e.Hop("%s %s/%s, rule %d (%s)", o.Kind, o.Namespace, o.Name, o.Rule, o.Match)
	e.Shadowed = w.shadowed(vh, m)
	for _, s := range e.Shadowed {
		e.Hop("  also matches, loses: %s %s/%s rule %d: %s", s.Kind, s.Namespace, s.Name, s.Rule, s.Reason)
	}
	switch {
	case r.Redirect != nil:
		e.Outcome = route.OutcomeRedirected
		e.Redirect, e.Status = envoy.Location(&r, req)
		e.Reason = fmt.Sprintf("%s %s/%s rule %d redirects: %d to %s", o.Kind, o.Namespace, o.Name, o.Rule, e.Status, e.Redirect)
		e.Hop("redirect: %d %s", e.Status, e.Redirect)
	case r.Direct != nil:
		e.Outcome, e.Status = route.OutcomeDirectResponse, r.Direct.Status
		e.Reason = fmt.Sprintf("%s %s/%s rule %d answers directly with %d", o.Kind, o.Namespace, o.Name, o.Rule, e.Status)
		e.Hop("direct response: %d", e.Status)
	case r.Forward != nil && len(r.Forward.Backends) > 0:
		w.forward(e, r, req)
	default:
		e.Outcome, e.Status = route.OutcomeUnavailable, 500
		e.Reason = fmt.Sprintf("%s %s/%s rule %d has no backend: the gateway answers 500", o.Kind, o.Namespace, o.Name, o.Rule)
		e.Hop("no backend: 500")
	}
}

func (w Walker) forward(e *route.Explanation, r envoy.Route, req envoy.Request) {
	o := r.Origin
	b := Heaviest(r.Forward.Backends)
	if ns, name, ok := ServiceOf(b.Host); ok {
		b.Namespace, b.Name = ns, name
	}
	t := w.Resolve(b)
	path := envoy.UpstreamPath(r, req)
	e.Backend = &route.ExplainBackend{Host: b.Host, Port: t.Port, Path: path, ReadyEndpoints: t.Ready}
	if t.Port == 0 {
		e.Backend.Port = int32(b.Port)
	}
	if path != req.URI() {
		e.Hop("rewrite: %s -> %s", req.URI(), path)
	}
	switch {
	case t.Problem != "":
		e.Outcome, e.Status = route.OutcomeUnavailable, t.Status
		e.Reason = fmt.Sprintf("%s %s/%s rule %d sends to %s: %s: the gateway answers %d", o.Kind, o.Namespace, o.Name, o.Rule, hostPort(b.Host, e.Backend.Port), t.Problem, t.Status)
		e.Fix = t.Fix
		e.Hop("backend %s: %s", hostPort(b.Host, e.Backend.Port), t.Problem)
	case t.Ready == 0:
		e.Outcome, e.Status = route.OutcomeUnavailable, 503
		e.Reason = fmt.Sprintf("%s %s/%s rule %d sends to %s, which has no ready endpoints: the gateway answers 503 (no healthy upstream)", o.Kind, o.Namespace, o.Name, o.Rule, hostPort(b.Host, e.Backend.Port))
		e.Fix = fmt.Sprintf("check the pods of Service %s/%s: kubectl -n %s get endpointslices -l kubernetes.io/service-name=%s", b.Namespace, b.Name, b.Namespace, b.Name)
		e.Hop("backend %s: no ready endpoints", hostPort(b.Host, e.Backend.Port))
	default:
		e.Outcome = route.OutcomeRouted
		e.Reason = fmt.Sprintf("%s %s/%s rule %d sends it to %s as %s (%d ready endpoints)", o.Kind, o.Namespace, o.Name, o.Rule, hostPort(b.Host, e.Backend.Port), path, t.Ready)
		e.Hop("backend %s, path %s, %d ready endpoints", hostPort(b.Host, e.Backend.Port), path, t.Ready)
	}
}

// Heaviest is the backend that takes most of the weight (the first of
// equals): the one explain follows.
func Heaviest(bs []envoy.Backend) envoy.Backend {
	best := bs[0]
	for _, b := range bs[1:] {
		if b.Weight > best.Weight {
			best = b
		}
	}
	return best
}

func (w Walker) shadowed(vh envoy.VirtualHost, m []int) []route.ExplainShadowed {
	out := []route.ExplainShadowed{}
	win := vh.Routes[m[0]]
	seen := map[route.ExplainShadowed]bool{}
	for _, i := range m[1:] {
		l := vh.Routes[i].Origin
		if KeyOf(l) == KeyOf(win.Origin) {
			continue // another match of the winning rule
		}
		s := route.ExplainShadowed{Kind: l.Kind, Namespace: l.Namespace, Name: l.Name, Rule: l.Rule}
		if seen[s] {
			continue
		}
		seen[s] = true
		switch {
		case l.Kind == win.Origin.Kind && l.Namespace == win.Origin.Namespace && l.Name == win.Origin.Name: // another rule of it
			s.Reason = fmt.Sprintf("rule %d of the same %s comes first", win.Origin.Rule, l.Kind)
		case vh.Routes[i].CatchAll() && !win.CatchAll():
			s.Reason = "a catch-all rule is moved after every other rule of the virtual host"
		default:
			s.Reason = w.Why(win.Origin, l)
		}
		out = append(out, s)
	}
	return out
}

func (w Walker) rules(vh envoy.VirtualHost) string {
	var parts []string
	for _, r := range vh.Routes {
		o := r.Origin
		p := fmt.Sprintf("%s/%s rule %d (%s)", o.Namespace, o.Name, o.Rule, o.Match)
		if len(parts) == 0 || parts[len(parts)-1] != p {
			parts = append(parts, p)
		}
	}
	if len(parts) > 8 {
		parts = append(parts[:8], fmt.Sprintf("and %d more", len(parts)-8))
	}
	return orNone(strings.Join(parts, ", "))
}

func hostPort(h string, p int32) string { return fmt.Sprintf("%s:%d", h, p) }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// served names what the virtual hosts answer for, for a miss.
func (w Walker) served() string {
	var hs []string
	for _, vh := range w.VirtualHosts {
		hs = append(hs, vh.Domains...)
	}
	return strings.Join(hs, ", ")
}
