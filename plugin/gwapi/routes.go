package gwapi

import (
	"slices"

	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// ServiceRoutes are the routes to Service ns/name in Gateway API terms,
// as url and proxy read them: the HTTPRoutes of ns (st.Routes, other
// namespaces left out) with a backendRef to the Service (kind Service,
// same namespace), attached to a Gateway of Istio in st (parentRefs, a
// sectionName or every listener) whose HTTP or HTTPS listener takes
// routes from ns. One route per listener, host and rule-match path: the
// host is the route's hostnames intersected with the listener's hostname
// (none: the listener's hostname, else "*"), the path each match's path
// (a rule without a match: "/"; header, query or method matches have no
// plain URL and are left out). HTTP before HTTPS, in the routes' order.
func ServiceRoutes(st State, ns, name string) []route.Route {
	var http, https []route.Route
	for _, r := range st.Routes {
		if r.Namespace != ns {
			continue
		}
		paths := backendPaths(r, ns, name)
		if len(paths) == 0 {
			continue
		}
		for _, p := range r.Spec.ParentRefs {
			ref, ok := ParentGateway(p, r.Namespace)
			if !ok {
				continue
			}
			g := st.gateway(ref)
			if g == nil || !st.istioGateway(g) {
				continue
			}
			for _, l := range g.Spec.Listeners {
				if p.SectionName != nil && *p.SectionName != l.Name || p.Port != nil && *p.Port != l.Port {
					continue
				}
				scheme := listenerScheme(l)
				if scheme == "" || !namespaceAllowed(l.AllowedRoutes, g.Namespace, ns, st.NamespaceLabels) || !kindAllowed(l.AllowedRoutes) {
					continue
				}
				for _, h := range routeHosts(r, l.Hostname) {
					for _, path := range paths {
						rt := route.Route{
							HTTPRoute: r.Namespace + "/" + r.Name, Gateway: ref.String(),
							ServerPort: uint32(l.Port), Scheme: scheme, Host: h, Path: path, Listener: string(l.Name),
						}
						if l.TLS != nil && len(l.TLS.CertificateRefs) > 0 && l.TLS.CertificateRefs[0].Namespace == nil {
							rt.Credential = string(l.TLS.CertificateRefs[0].Name) // in the Gateway's namespace
						}
						if scheme == "https" {
							https = append(https, rt)
						} else {
							http = append(http, rt)
						}
					}
				}
			}
		}
	}
	return append(http, https...)
}

// listenerScheme is http or https after a listener's protocol, "" for
// the others (TLS, TCP, UDP, GRPC).
func listenerScheme(l gwv1.Listener) string {
	switch l.Protocol {
	case gwv1.HTTPProtocolType:
		return "http"
	case gwv1.HTTPSProtocolType:
		return "https"
	}
	return ""
}

// routeHosts are the hosts requests through listener hostname lh reach r
// with (hostThrough): each of r's hostnames that intersects lh, the
// narrower of the two; without hostnames, lh itself, else "*".
func routeHosts(r *gwv1.HTTPRoute, lh *gwv1.Hostname) []string {
	if len(r.Spec.Hostnames) == 0 {
		h, _ := hostThrough("*", lh)
		return []string{h}
	}
	var out []string
	for _, h := range r.Spec.Hostnames {
		if hs, ok := hostThrough(string(h), lh); ok && !slices.Contains(out, hs) {
			out = append(out, hs)
		}
	}
	return out
}

// RoutesTo is whether a rule of r sends requests with a plain path to
// Service ns/name.
func RoutesTo(r *gwv1.HTTPRoute, ns, name string) bool {
	return len(backendPaths(r, ns, name)) > 0
}

// backendPaths are the distinct paths of r's rules that send requests to
// Service ns/name (a backendRef of kind Service in ns).
func backendPaths(r *gwv1.HTTPRoute, ns, name string) []string {
	var out []string
	for _, rule := range r.Spec.Rules {
		if !sendsTo(rule, r.Namespace, ns, name) {
			continue
		}
		ms := rule.Matches
		if len(ms) == 0 {
			ms = []gwv1.HTTPRouteMatch{{}}
		}
		for _, m := range ms {
			if x, ok := matchOf(m); ok && !slices.Contains(out, x.Path) {
				out = append(out, x.Path)
			}
		}
	}
	return out
}

// sendsTo is whether a rule of a route in routeNS has a backendRef to
// Service ns/name.
func sendsTo(rule gwv1.HTTPRouteRule, routeNS, ns, name string) bool {
	for _, b := range rule.BackendRefs {
		if ptr.Deref(b.Group, "") != "" || ptr.Deref(b.Kind, "Service") != "Service" {
			continue
		}
		if string(b.Name) == name && string(ptr.Deref(b.Namespace, gwv1.Namespace(routeNS))) == ns {
			return true
		}
	}
	return false
}

// Listener is the listener of g for scheme ("http" or "https"): the one
// of that name (the tool's own Gateway), else the first of the protocol;
// nil when there is none.
func Listener(g *gwv1.Gateway, scheme string) *gwv1.Listener {
	var first *gwv1.Listener
	for i := range g.Spec.Listeners {
		l := &g.Spec.Listeners[i]
		if listenerScheme(*l) != scheme {
			continue
		}
		if string(l.Name) == scheme {
			return l
		}
		if first == nil {
			first = l
		}
	}
	return first
}

// route.ObjectRef has no gwv1 dependency; refOf names a Gateway.
func refOf(g *gwv1.Gateway) route.ObjectRef {
	return route.ObjectRef{Namespace: g.Namespace, Name: g.Name}
}
