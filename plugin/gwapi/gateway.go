package gwapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
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

func needs(e *model.Expose) []need {
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
// it lacks, another must have them), else the tool's own Gateway of the
// namespace, else an existing Gateway of Istio whose listeners take the
// routes, else a new own Gateway (expose-gw in the Service's namespace).
// note says which existing Gateway was chosen, when it is not the tool's.
func chooseGateway(e *model.Expose, st State) (c model.Change, secs map[string]sections, note string, err error) {
	ns := e.Target.Namespace
	ref := model.ObjectRef{Namespace: ns, Name: model.DefaultGatewayName}
	if e.Gateway != nil {
		ref = *e.Gateway
	}
	if g := st.gateway(ref); g != nil {
		if !st.istioGateway(g) {
			return c, nil, "", fmt.Errorf("Gateway %s/%s is of class %q, which Istio does not program (controller %s): use a Gateway of class %s", g.Namespace, g.Name, g.Spec.GatewayClassName, ControllerName, ClassName)
		}
		if !model.IsManaged(g) {
			secs, err := attach(g, e, st, true)
			return model.Change{Op: model.OpUnchanged, Object: g}, secs, "", err
		}
		return extendOwn(g, e, st)
	}
	if e.Gateway == nil {
		if g, secs := existingFor(e, st); g != nil {
			return model.Change{Op: model.OpUnchanged, Object: g}, secs,
				fmt.Sprintf("using Gateway %s/%s (class %s), whose listeners take routes for %s from namespace %s", g.Namespace, g.Name, g.Spec.GatewayClassName, strings.Join(e.Hosts, ", "), ns), nil
		}
	}
	g := newGateway(ref, nil)
	c, secs, _, err = extendOwn(g, e, st)
	c.Op, c.Before = model.OpCreate, nil
	return c, secs, "", err
}

// existingFor is the first Gateway of Istio, in the Service's namespace
// first, whose listeners take every host's routes.
func existingFor(e *model.Expose, st State) (*gwv1.Gateway, map[string]sections) {
	gws := slices.Clone(st.Gateways)
	slices.SortStableFunc(gws, func(a, b *gwv1.Gateway) int {
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

// attach finds for every host the listeners of g that take its routes;
// with explain, a missing one is an error saying what to change.
func attach(g *gwv1.Gateway, e *model.Expose, st State, explain bool) (map[string]sections, error) {
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
// (with secret, an HTTPS listener terminating TLS with that Secret); the
// error explains why the closest one does not.
func pick(g *gwv1.Gateway, routeNS string, nsLabels map[string]string, host string, proto gwv1.ProtocolType, secret string) (gwv1.SectionName, error) {
	best, bestWhy := -1, WrongProtocol
	for i, l := range g.Spec.Listeners {
		why := Admits(l, g.Namespace, routeNS, nsLabels, host, proto)
		if why == Admitted && secret != "" && !usesSecret(l, g.Namespace, secret) {
			return "", &OtherCertificateError{Gateway: g.Namespace + "/" + g.Name, Listener: string(l.Name), Host: host, Secret: secret}
		}
		if why == Admitted {
			return l.Name, nil
		}
		if why > bestWhy || best < 0 {
			best, bestWhy = i, why
		}
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

// extendOwn gives the tool's Gateway g the listeners the request lacks:
// "http" on the HTTP port (no hostname: it takes every host), and for
// --tls-secret "https" on the HTTPS port for the host ("https-HOST" when
// "https" is taken), terminating TLS with the Secret. A Gateway in
// another namespace than the Service's lets routes from it attach.
func extendOwn(g *gwv1.Gateway, e *model.Expose, st State) (model.Change, map[string]sections, string, error) {
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
			g.Spec.Listeners = append(g.Spec.Listeners, l)
			s.http = l.Name
		}
		if n.https {
			if s.https, err = pick(g, routeNS, st.NamespaceLabels, n.host, gwv1.HTTPSProtocolType, n.secret); err != nil {
				var oc *OtherCertificateError
				if errors.As(err, &oc) {
					return model.Change{}, nil, "", err
				}
				l := gwv1.Listener{Name: freeName(g, httpsListener, n.host), Port: httpsPort, Protocol: gwv1.HTTPSProtocolType,
					TLS: &gwv1.ListenerTLSConfig{Mode: ptr.To(gwv1.TLSModeTerminate),
						CertificateRefs: []gwv1.SecretObjectReference{{Name: gwv1.ObjectName(n.secret)}}},
					AllowedRoutes: allowFrom(g.Namespace, routeNS)}
				if n.host != "*" {
					l.Hostname = ptr.To(gwv1.Hostname(n.host))
				}
				g.Spec.Listeners = append(g.Spec.Listeners, l)
				s.https = l.Name
			}
		}
		secs[n.host] = s
	}
	if len(g.Spec.Listeners) == len(before.Spec.Listeners) {
		return model.Change{Op: model.OpUnchanged, Object: before}, secs, "", nil
	}
	return model.Change{Op: model.OpUpdate, Object: g, Before: before}, secs, "", nil
}

func portOr(p uint32, def gwv1.PortNumber) gwv1.PortNumber {
	if p == 0 {
		return def
	}
	return gwv1.PortNumber(p)
}

// freeName is base when no listener of g has that name, else base-HOST.
func freeName(g *gwv1.Gateway, base, host string) gwv1.SectionName {
	for _, l := range g.Spec.Listeners {
		if string(l.Name) == base {
			return gwv1.SectionName(base + "-" + model.HostSlug(host))
		}
	}
	return gwv1.SectionName(base)
}

// allowFrom is the allowedRoutes of a listener for routes from routeNS:
// none needed in the Gateway's own namespace, else that namespace by its
// name label.
func allowFrom(gwNS, routeNS string) *gwv1.AllowedRoutes {
	if gwNS == routeNS {
		return nil
	}
	return &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{
		From:     ptr.To(gwv1.NamespacesFromSelector),
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: routeNS}},
	}}
}

// OtherCertificateError is a Gateway that serves HTTPS for the host with
// another certificate than --tls-secret.
type OtherCertificateError struct {
	Gateway, Listener, Host, Secret string
}

func (e *OtherCertificateError) Error() string {
	return fmt.Sprintf("Gateway %s serves HTTPS for %q on listener %q with another certificate than --tls-secret %s: drop --tls-secret to use it, or give another --gateway", e.Gateway, e.Host, e.Listener, e.Secret)
}
