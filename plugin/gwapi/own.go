package gwapi

import (
	"errors"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// The tool's own Gateway: the listeners it gains for a request.

// extendOwn gives the tool's Gateway g the listeners the request lacks:
// "http" on the HTTP port (no hostname: it takes every host), and for
// --tls-secret "https" on the HTTPS port for the host ("https-HOST" when
// "https" is taken), terminating TLS with the Secret. A Gateway in
// another namespace than the Service's lets routes from it attach.
func extendOwn(g *gwv1.Gateway, e *route.Expose, st State) (route.Change, map[string]sections, string, error) {
	before := g
	g = g.DeepCopy()
	routeNS := e.Target.Namespace
	httpPort, httpsPort := portOr(e.HTTPPort, 80), portOr(e.HTTPSPort, 443)
	secs := map[string]sections{}
	for _, n := range needs(e) {
		var s sections
		var err error
		if s.http, err = pick(g, routeNS, st.NamespaceLabels, n.host, gwv1.HTTPProtocolType, ""); err != nil {
			l := gwv1.Listener{Name: freeName(g, httpListener, n.host), Port: httpPort, Protocol: gwv1.HTTPProtocolType,
				AllowedRoutes: allowFrom(g.Namespace, routeNS)}
			if s.http, err = addListener(g, l, routeNS, st.NamespaceLabels, n.host, ""); err != nil {
				return route.Change{}, nil, "", err
			}
		}
		if n.https {
			if s.https, err = pick(g, routeNS, st.NamespaceLabels, n.host, gwv1.HTTPSProtocolType, n.secret); err != nil {
				var oc *OtherCertificateError
				if errors.As(err, &oc) {
					return route.Change{}, nil, "", err
				}
				l := gwv1.Listener{Name: freeName(g, httpsListener, n.host), Port: httpsPort, Protocol: gwv1.HTTPSProtocolType,
					TLS: &gwv1.ListenerTLSConfig{Mode: ptr.To(gwv1.TLSModeTerminate),
						CertificateRefs: []gwv1.SecretObjectReference{{Name: gwv1.ObjectName(n.secret)}}},
					AllowedRoutes: allowFrom(g.Namespace, routeNS)}
				if n.host != "*" {
					l.Hostname = ptr.To(gwv1.Hostname(n.host))
				}
				if s.https, err = addListener(g, l, routeNS, st.NamespaceLabels, n.host, n.secret); err != nil {
					return route.Change{}, nil, "", err
				}
			}
		}
		secs[n.host] = s
	}
	if equality.Semantic.DeepEqual(g.Spec, before.Spec) {
		return route.Change{Op: route.OpUnchanged, Object: before}, secs, "", nil
	}
	return route.Change{Op: route.OpUpdate, Object: g, Before: before}, secs, "", nil
}

// addListener gives the tool's Gateway g listener l, or, when g has a
// listener on the same port, protocol and hostname (the Gateway API
// allows one), lets that one take routes from routeNS too: its
// allowedRoutes name the namespaces it takes (widen).
func addListener(g *gwv1.Gateway, l gwv1.Listener, routeNS string, nsLabels map[string]string, host, secret string) (gwv1.SectionName, error) {
	for i := range g.Spec.Listeners {
		x := &g.Spec.Listeners[i]
		if x.Port != l.Port || x.Protocol != l.Protocol || ptr.Deref(x.Hostname, "") != ptr.Deref(l.Hostname, "") {
			continue
		}
		if secret != "" && !usesSecret(*x, g.Namespace, secret) {
			return "", &OtherCertificateError{Gateway: g.Namespace + "/" + g.Name, Listener: string(x.Name), Host: host, Secret: secret}
		}
		if Admits(*x, g.Namespace, routeNS, nsLabels, host, l.Protocol) == NamespaceNotAllowed && widen(x, g.Namespace, routeNS) {
			return x.Name, nil
		}
		return "", admissionError(g, Admits(*x, g.Namespace, routeNS, nsLabels, host, l.Protocol), x, routeNS, host, l.Protocol)
	}
	g.Spec.Listeners = append(g.Spec.Listeners, l)
	return l.Name, nil
}

// widen lets listener l of the tool's Gateway in gwNS take routes from
// routeNS too, keeping those it takes: Same (gwNS) or a selector of
// namespace names become the names' In selector. false when l's
// allowedRoutes are of another shape (written by someone else).
func widen(l *gwv1.Listener, gwNS, routeNS string) bool {
	names := []string{gwNS}
	if ar := l.AllowedRoutes; ar != nil && ar.Namespaces != nil && ptr.Deref(ar.Namespaces.From, gwv1.NamespacesFromSame) != gwv1.NamespacesFromSame {
		var ok bool
		if names, ok = selectedNames(ar.Namespaces); !ok {
			return false
		}
	}
	if !slices.Contains(names, routeNS) {
		names = append(names, routeNS)
	}
	slices.Sort(names)
	l.AllowedRoutes = namespacesIn(names)
	return true
}

// selectedNames reads a Selector of namespaces by their name label, as
// allowFrom and widen write it.
func selectedNames(rn *gwv1.RouteNamespaces) ([]string, bool) {
	sel := rn.Selector
	if ptr.Deref(rn.From, "") != gwv1.NamespacesFromSelector || sel == nil {
		return nil, false
	}
	switch {
	case len(sel.MatchExpressions) == 0 && len(sel.MatchLabels) == 1 && sel.MatchLabels[corev1.LabelMetadataName] != "":
		return []string{sel.MatchLabels[corev1.LabelMetadataName]}, true
	case len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 1 &&
		sel.MatchExpressions[0].Key == corev1.LabelMetadataName && sel.MatchExpressions[0].Operator == metav1.LabelSelectorOpIn:
		return slices.Clone(sel.MatchExpressions[0].Values), true
	}
	return nil, false
}

func namespacesIn(names []string) *gwv1.AllowedRoutes {
	return &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{
		From: ptr.To(gwv1.NamespacesFromSelector),
		Selector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpIn, Values: names},
		}},
	}}
}

func portOr(p uint32, def gwv1.PortNumber) gwv1.PortNumber {
	if p == 0 {
		return def
	}
	return gwv1.PortNumber(p)
}

// freeName is base when no listener of g has that name, else base-HOST,
// else base-HOST-2, -3...
func freeName(g *gwv1.Gateway, base, host string) gwv1.SectionName {
	taken := func(n string) bool {
		return slices.ContainsFunc(g.Spec.Listeners, func(l gwv1.Listener) bool { return string(l.Name) == n })
	}
	name := base
	for i := 1; taken(name); i++ {
		name = base + "-" + route.HostSlug(host)
		if i > 1 {
			name += fmt.Sprintf("-%d", i)
		}
	}
	return gwv1.SectionName(name)
}

// allowFrom is the allowedRoutes of a listener for routes from routeNS:
// none needed in the Gateway's own namespace, else that namespace by its
// name label.
func allowFrom(gwNS, routeNS string) *gwv1.AllowedRoutes {
	if gwNS == routeNS {
		return nil
	}
	return namespacesIn([]string{routeNS})
}
