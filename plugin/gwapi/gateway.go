package gwapi

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Listener names of the tool's own Gateway.
const (
	httpListener  = "http"
	httpsListener = "https"
)

// need is what a host of the request needs of a Gateway: an HTTP
// listener, and an HTTPS one with the --tls-secret.
type need struct {
	host   string
	https  bool
	secret string
}

func needs(e *route.Expose) []need {
	var ns []need
	for _, h := range e.Hosts {
		ns = append(ns, need{host: h, https: e.TLSSecret != "", secret: e.TLSSecret})
	}
	return ns
}

// sections are the listeners of gw a host's routes attach to.
type sections struct{ http, https gwv1.SectionName }

// chooseGateway is the Gateway the routes go to, as the plan leaves it,
// and the change to it: --gateway (the tool's own is given the listeners
// it lacks, another must have them); else an existing Gateway of Istio
// whose listeners take the routes, the tool's own of the namespace first;
// else the tool's own Gateway (expose-gw in the Service's namespace),
// given the listeners it lacks or created. note says which existing
// Gateway was chosen, when it is not the tool's.
func chooseGateway(e *route.Expose, st State) (c route.Change, secs map[string]sections, note string, err error) {
	ns := e.Target.Namespace
	ref := route.ObjectRef{Namespace: ns, Name: route.DefaultGatewayName}
	if e.Gateway != nil {
		ref = *e.Gateway
	}
	g := st.gateway(ref)
	if g != nil && !st.istioGateway(g) {
		return c, nil, "", classError(g)
	}
	switch {
	case g != nil && !route.IsManaged(g) && e.Gateway != nil:
		secs, err := attach(g, e, st, true)
		return route.Change{Op: route.OpUnchanged, Object: g}, secs, "", err
	case e.Gateway == nil:
		if x, secs := existingFor(e, st); x != nil {
			if x == g && route.IsManaged(x) {
				return route.Change{Op: route.OpUnchanged, Object: x}, secs, "", nil
			}
			return route.Change{Op: route.OpUnchanged, Object: x}, secs,
				fmt.Sprintf("using Gateway %s/%s (class %s), whose listeners take routes for %s from namespace %s", x.Namespace, x.Name, x.Spec.GatewayClassName, strings.Join(e.Hosts, ", "), ns), nil
		}
		if g != nil && !route.IsManaged(g) {
			// A Gateway named like the tool's that is not the tool's, and
			// takes no route of the request: never changed.
			secs, err := attach(g, e, st, true)
			return route.Change{Op: route.OpUnchanged, Object: g}, secs, "", err
		}
	}
	if g != nil {
		return extendOwn(g, e, st)
	}
	c, secs, _, err = extendOwn(newGateway(ref, nil), e, st)
	c.Op, c.Before = route.OpCreate, nil
	return c, secs, "", err
}

// existingFor is the first Gateway of Istio whose listeners take every
// host's routes: the tool's own of the namespace, then those of the
// namespace, then the others, by namespace/name.
func existingFor(e *route.Expose, st State) (*gwv1.Gateway, map[string]sections) {
	gws := slices.Clone(st.Gateways)
	own := func(g *gwv1.Gateway) bool {
		return g.Namespace == e.Target.Namespace && g.Name == route.DefaultGatewayName && route.IsManaged(g)
	}
	slices.SortStableFunc(gws, func(a, b *gwv1.Gateway) int {
		// Where the request's routes already are first: a re-run finds
		// them there, whatever Gateway came since.
		if ha, hb := hostsAttached(e, st, a), hostsAttached(e, st, b); ha != hb {
			return hb - ha
		}
		if own(a) != own(b) {
			if own(a) {
				return -1
			}
			return 1
		}
		if (a.Namespace == e.Target.Namespace) != (b.Namespace == e.Target.Namespace) {
			if a.Namespace == e.Target.Namespace {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	for _, g := range gws {
		if !st.istioGateway(g) || g.DeletionTimestamp != nil {
			continue
		}
		if secs, err := attach(g, e, st, false); err == nil {
			return g, secs
		}
	}
	return nil, nil
}

// hostsAttached is how many of the request's hosts have a route of the
// tool for the Service attached to g.
func hostsAttached(e *route.Expose, st State, g *gwv1.Gateway) int {
	ref := route.ObjectRef{Namespace: g.Namespace, Name: g.Name}
	n := 0
	for _, h := range e.Hosts {
		if slices.ContainsFunc(st.Routes, func(r *gwv1.HTTPRoute) bool {
			return r.Namespace == e.Target.Namespace && route.IsManaged(r) && r.Labels[ServiceLabel] == e.Target.Service &&
				strings.EqualFold(HostOf(r), h) && attachedTo([]*gwv1.HTTPRoute{r}, ref)
		}) {
			n++
		}
	}
	return n
}

// attach finds for every host the listeners of g that take its routes;
// with explain, a missing one is an error saying what to change.
func attach(g *gwv1.Gateway, e *route.Expose, st State, explain bool) (map[string]sections, error) {
	secs := map[string]sections{}
	for _, n := range needs(e) {
		var s sections
		l, err := pick(g, e.Target.Namespace, st.NamespaceLabels, n.host, gwv1.HTTPProtocolType, "")
		if err != nil {
			return nil, err
		}
		s.http = l
		if n.https {
			if s.https, err = pick(g, e.Target.Namespace, st.NamespaceLabels, n.host, gwv1.HTTPSProtocolType, n.secret); err != nil {
				return nil, err
			}
		}
		secs[n.host] = s
	}
	return secs, nil
}

// pick is the first listener of g taking a route for host over proto
// (with secret, an HTTPS listener terminating TLS with that Secret) that
// Istio serves host on: a more specific listener of the same port takes
// the host from a wildcard or hostname-less one (listener isolation), so
// a route there would never get its requests. The error explains why the
// closest one does not take it.
func pick(g *gwv1.Gateway, routeNS string, nsLabels map[string]string, host string, proto gwv1.ProtocolType, secret string) (gwv1.SectionName, error) {
	best, bestWhy := -1, WrongProtocol
	var otherCert *OtherCertificateError
	var isolated *gwv1.Listener // admitted, but Istio serves host on another listener
	for i, l := range g.Spec.Listeners {
		why := Admits(l, g.Namespace, routeNS, nsLabels, host, proto)
		if why == Admitted && secret != "" && !usesSecret(l, g.Namespace, secret) {
			if otherCert == nil {
				otherCert = &OtherCertificateError{Gateway: g.Namespace + "/" + g.Name, Listener: string(l.Name), Host: host, Secret: secret}
			}
			continue // another listener may have the Secret
		}
		if why == Admitted && !allowedByIsolation(strings.ToLower(host), l, g) {
			if isolated == nil {
				isolated = &g.Spec.Listeners[i]
			}
			continue
		}
		if why == Admitted {
			return l.Name, nil
		}
		if why > bestWhy || best < 0 {
			best, bestWhy = i, why
		}
	}
	if otherCert != nil {
		return "", otherCert
	}
	if isolated != nil {
		return isolated.Name, nil // the more specific listener does not take the route: keep the old choice
	}
	var l *gwv1.Listener
	if best >= 0 {
		l = &g.Spec.Listeners[best]
	}
	if l == nil || bestWhy == WrongProtocol {
		return "", admissionError(g, WrongProtocol, nil, routeNS, host, proto)
	}
	return "", admissionError(g, bestWhy, l, routeNS, host, proto)
}

// usesSecret is whether listener l terminates TLS with Secret name of
// gwNS.
func usesSecret(l gwv1.Listener, gwNS, name string) bool {
	if l.TLS == nil {
		return false
	}
	for _, r := range l.TLS.CertificateRefs {
		kind := ptr.Deref(r.Kind, "Secret")
		group := ptr.Deref(r.Group, "")
		ns := string(ptr.Deref(r.Namespace, gwv1.Namespace(gwNS)))
		if kind == "Secret" && group == "" && ns == gwNS && string(r.Name) == name {
			return true
		}
	}
	return false
}

// OtherCertificateError is a Gateway that serves HTTPS for the host with
// another certificate than --tls-secret.
type OtherCertificateError struct {
	Gateway, Listener, Host, Secret string
}

func (e *OtherCertificateError) Error() string {
	return fmt.Sprintf("Gateway %s serves HTTPS for %q on listener %q with another certificate than --tls-secret %s: drop --tls-secret to use it, or give another --gateway", e.Gateway, e.Host, e.Listener, e.Secret)
}
