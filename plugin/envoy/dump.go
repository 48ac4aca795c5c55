package envoy

// Reading what a running Envoy was given: its admin interface's
// /config_dump (envoy.admin.v3.ConfigDump in proto JSON), the listeners
// and route configurations only, into the table this package walks.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Dump is the part of a gateway's /config_dump a request's walk needs.
type Dump struct {
	Listeners []Listener
	Routes    map[string][]VirtualHost // route configurations by name
}

// Listener is one listener: its port and filter chains.
type Listener struct {
	Name   string
	Port   uint32
	Chains []Chain
}

// Chain is one filter chain: the SNIs it takes (none: any), whether it
// terminates TLS, and its HTTP connection manager's route configuration
// (by RDS name, or inline).
type Chain struct {
	Name        string
	ServerNames []string
	TLS         bool
	RouteConfig string
	Inline      []VirtualHost
	HTTP        bool
}

// ParseDump reads a /config_dump.
func ParseDump(b []byte) (*Dump, error) {
	var d jsonDump
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("reading config_dump: %w", err)
	}
	out := &Dump{Routes: map[string][]VirtualHost{}}
	for _, raw := range d.Configs {
		var a anyMsg
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("reading config_dump: %w", err)
		}
		switch {
		case strings.HasSuffix(a.Type, ".ListenersConfigDump"):
			var ls jsonListeners
			if err := json.Unmarshal(raw, &ls); err != nil {
				return nil, fmt.Errorf("reading the listeners of config_dump: %w", err)
			}
			for _, l := range ls.Dynamic {
				if l.Active != nil {
					out.Listeners = append(out.Listeners, listenerOf(l.Active.Listener))
				}
			}
			for _, l := range ls.Static {
				out.Listeners = append(out.Listeners, listenerOf(l.Listener))
			}
		case strings.HasSuffix(a.Type, ".RoutesConfigDump"):
			var rs jsonRoutes
			if err := json.Unmarshal(raw, &rs); err != nil {
				return nil, fmt.Errorf("reading the routes of config_dump: %w", err)
			}
			for _, r := range rs.Dynamic {
				out.Routes[r.RouteConfig.Name] = virtualHostsOf(r.RouteConfig)
			}
			for _, r := range rs.Static {
				out.Routes[r.RouteConfig.Name] = virtualHostsOf(r.RouteConfig)
			}
		}
	}
	if len(out.Listeners) == 0 {
		return nil, fmt.Errorf("reading config_dump: no listeners (not an Envoy admin /config_dump?)")
	}
	return out, nil
}

func listenerOf(l jsonListener) Listener {
	out := Listener{Name: l.Name, Port: l.Address.Socket.Port}
	for _, c := range l.Chains {
		ch := Chain{Name: c.Name, ServerNames: c.Match.ServerNames, TLS: c.Match.Transport == "tls" || c.TransportSocket != nil}
		for _, f := range c.Filters {
			var h jsonHCM
			if json.Unmarshal(f.Typed, &h) != nil || !strings.HasSuffix(h.Type, ".HttpConnectionManager") {
				continue
			}
			ch.HTTP = true
			if h.RDS != nil {
				ch.RouteConfig = h.RDS.Name
			}
			if h.RouteConfig != nil {
				ch.RouteConfig, ch.Inline = h.RouteConfig.Name, virtualHostsOf(*h.RouteConfig)
			}
		}
		out.Chains = append(out.Chains, ch)
	}
	return out
}

func virtualHostsOf(rc jsonRouteConfig) []VirtualHost {
	var out []VirtualHost
	for _, vh := range rc.VirtualHosts {
		v := VirtualHost{Name: vh.Name, Domains: vh.Domains, RequireTLS: vh.RequireTLS != "" && vh.RequireTLS != "NONE"}
		for _, r := range vh.Routes {
			v.Routes = append(v.Routes, routeOf(r))
		}
		out = append(out, v)
	}
	return out
}

func stringMatchOf(s *jsonString) StringMatch {
	switch {
	case s == nil:
		return StringMatch{Kind: StrPresent}
	case s.Exact != nil:
		return StringMatch{Kind: StrExact, Value: *s.Exact, IgnoreCase: s.IgnoreCase}
	case s.Prefix != nil:
		return StringMatch{Kind: StrPrefix, Value: *s.Prefix, IgnoreCase: s.IgnoreCase}
	case s.Suffix != nil:
		return StringMatch{Kind: StrSuffix, Value: *s.Suffix, IgnoreCase: s.IgnoreCase}
	case s.Contains != nil:
		return StringMatch{Kind: StrContains, Value: *s.Contains, IgnoreCase: s.IgnoreCase}
	case s.SafeRegex != nil:
		return StringMatch{Kind: StrRegex, Value: s.SafeRegex.Regex}
	}
	return StringMatch{Kind: StrPresent}
}

var redirectCodes = map[string]int{"": 301, "MOVED_PERMANENTLY": 301, "FOUND": 302, "SEE_OTHER": 303, "TEMPORARY_REDIRECT": 307, "PERMANENT_REDIRECT": 308}

func routeOf(r jsonRoute) Route {
	var out Route
	m := &out.Match
	switch {
	case r.Match.Path != nil:
		m.Kind, m.Path = Exact, *r.Match.Path
	case r.Match.SeparatedPrefix != nil:
		m.Kind, m.Path = SeparatedPrefix, *r.Match.SeparatedPrefix
	case r.Match.SafeRegex != nil:
		m.Kind, m.Path = Regex, r.Match.SafeRegex.Regex
	case r.Match.Prefix != nil:
		m.Kind, m.Path = Prefix, *r.Match.Prefix
	}
	m.IgnoreCase = r.Match.CaseSensitive != nil && !*r.Match.CaseSensitive
	for _, h := range r.Match.Headers {
		hm := HeaderMatch{Name: h.Name, Invert: h.Invert, MissingAsEmpty: h.MissingEmpty, Match: stringMatchOf(h.StringMatch)}
		switch {
		case h.ExactMatch != nil:
			hm.Match = StringMatch{Kind: StrExact, Value: *h.ExactMatch}
		case h.PrefixMatch != nil:
			hm.Match = StringMatch{Kind: StrPrefix, Value: *h.PrefixMatch}
		}
		m.Headers = append(m.Headers, hm)
	}
	for _, q := range r.Match.Query {
		m.Query = append(m.Query, QueryMatch{Name: q.Name, Match: stringMatchOf(q.StringMatch)})
	}
	out.Origin = originOf(r.Metadata.Filter["istio"]["config"])
	out.Origin.Route = r.Name
	switch {
	case r.Route != nil:
		f := &Forward{PrefixRewrite: r.Route.PrefixRewrite, HostRewrite: r.Route.HostRewrite}
		if rx := r.Route.RegexRewrite; rx != nil {
			f.HasRegexRewrite, f.RegexPattern, f.RegexSubstitution = true, rx.Pattern.Regex, rx.Substitution
		}
		if r.Route.Cluster != "" {
			f.Backends = []Backend{backendOf(r.Route.Cluster, 0)}
		}
		if w := r.Route.Weighted; w != nil {
			for _, c := range w.Clusters {
				f.Backends = append(f.Backends, backendOf(c.Name, c.Weight))
			}
		}
		out.Forward = f
	case r.Redirect != nil:
		a := r.Redirect
		rd := &Redirect{Code: redirectCodes[a.Code], Scheme: a.Scheme, Host: a.Host, Port: a.Port, Path: a.Path, StripQuery: a.StripQuery}
		if a.HTTPS {
			rd.Scheme = "https"
		}
		if a.PrefixRewrite != nil {
			rd.HasPrefix, rd.PrefixRewrite = true, *a.PrefixRewrite
		}
		out.Redirect = rd
	case r.Direct != nil:
		d := &Direct{Status: r.Direct.Status}
		if r.Direct.Body != nil {
			d.Body = r.Direct.Body.Inline
		}
		out.Direct = d
	}
	return out
}

// backendOf reads an Envoy cluster name of Istio's,
// outbound|PORT|SUBSET|HOST, as the backend it stands for.
func backendOf(cluster string, weight int32) Backend {
	b := Backend{Host: cluster, Weight: weight}
	parts := strings.Split(cluster, "|")
	if len(parts) == 4 {
		p, _ := strconv.Atoi(parts[1])
		b.Host, b.Port = parts[3], uint32(p)
	}
	return b
}

// originOf reads the object pilot names in a route's metadata,
// /apis/GROUP/VERSION/namespaces/NS/KIND/NAME.
func originOf(v any) Origin {
	s, _ := v.(string)
	parts := strings.Split(strings.TrimPrefix(s, "/"), "/")
	if len(parts) != 7 || parts[0] != "apis" || parts[3] != "namespaces" {
		return Origin{}
	}
	kinds := map[string]string{"virtual-service": "VirtualService", "httproute": "HTTPRoute", "http-route": "HTTPRoute", "grpc-route": "GRPCRoute"}
	kind := kinds[parts[5]]
	if kind == "" {
		kind = parts[5]
	}
	return Origin{Kind: kind, Namespace: parts[4], Name: parts[6], Rule: -1}
}
