package envoy

import "fmt"

// Walked is what a running Envoy does with a request, by its
// config_dump: the listener, filter chain, route configuration, virtual
// host and route that take it, or where it stops and why.
type Walked struct {
	Listener, Chain, RouteConfig, VirtualHost string
	// Route is the route that takes the request; nil when it stops
	// before one (Stop says where).
	Route *Route
	Stop  string
}

// Walk walks req, arrived on port (where Envoy binds in the pod) over TLS
// with sni or not, through the dump as Envoy does.
func (d *Dump) Walk(port uint32, sni string, req Request) Walked {
	var w Walked
	var l *Listener
	for i := range d.Listeners {
		if d.Listeners[i].Port == port {
			l = &d.Listeners[i]
		}
	}
	if l == nil {
		w.Stop = fmt.Sprintf("no listener on port %d: connections are refused", port)
		return w
	}
	w.Listener = l.Name
	var names [][]string
	var idx []int
	for i, c := range l.Chains {
		if c.TLS == req.TLS && c.HTTP {
			names, idx = append(names, c.ServerNames), append(idx, i)
		}
	}
	ci := -1
	if req.TLS {
		if k := FilterChainFor(names, sni); k >= 0 {
			ci = idx[k]
		}
	} else if len(idx) > 0 {
		ci = idx[0]
	}
	if ci < 0 {
		w.Stop = fmt.Sprintf("listener %s has no filter chain for SNI %q: the TLS handshake fails", l.Name, sni)
		if !req.TLS {
			w.Stop = fmt.Sprintf("listener %s has no plain-HTTP filter chain", l.Name)
		}
		return w
	}
	c := l.Chains[ci]
	w.Chain, w.RouteConfig = c.Name, c.RouteConfig
	vhs := c.Inline
	if vhs == nil {
		var ok bool
		if vhs, ok = d.Routes[c.RouteConfig]; !ok {
			w.Stop = fmt.Sprintf("route configuration %q is not in the gateway's configuration: 404", c.RouteConfig)
			return w
		}
	}
	vi := VirtualHostFor(vhs, HostOnly(req.Host))
	if vi < 0 {
		w.Stop = fmt.Sprintf("no virtual host of route configuration %s takes host %q: 404", c.RouteConfig, HostOnly(req.Host))
		return w
	}
	vh := vhs[vi]
	w.VirtualHost = vh.Name
	if vh.RequireTLS && !req.TLS {
		w.Stop = fmt.Sprintf("virtual host %s requires TLS: 301 to https", vh.Name)
		return w
	}
	m := Matching(vh, req)
	if len(m) == 0 {
		w.Stop = fmt.Sprintf("no route of virtual host %s matches %s: 404", vh.Name, req.URI())
		return w
	}
	w.Route = &vh.Routes[m[0]]
	return w
}
