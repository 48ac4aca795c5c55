package gwapi

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// The Gateway API's rules for attaching an HTTPRoute to a listener
// (gateway-api.sigs.k8s.io/reference/spec: Listener, AllowedRoutes,
// HTTPRoute hostnames).

// Admission is whether a listener takes the tool's route, and why not.
type Admission int

// The answers of Admits.
const (
	Admitted Admission = iota
	WrongProtocol
	WrongHost
	NamespaceNotAllowed
	KindNotAllowed
)

// Admits says whether listener l of a Gateway in gwNS takes an HTTPRoute
// in routeNS for host ("*": no hostnames) over proto (HTTP or HTTPS).
// nsLabels are routeNS's labels, for an allowedRoutes selector (nil: not
// known, a selector then admits nothing).
func Admits(l gwv1.Listener, gwNS, routeNS string, nsLabels map[string]string, host string, proto gwv1.ProtocolType) Admission {
	if l.Protocol != proto {
		return WrongProtocol
	}
	if !HostnamesIntersect(l.Hostname, host) {
		return WrongHost
	}
	if !namespaceAllowed(l.AllowedRoutes, gwNS, routeNS, nsLabels) {
		return NamespaceNotAllowed
	}
	if !kindAllowed(l.AllowedRoutes) {
		return KindNotAllowed
	}
	return Admitted
}

// HostnamesIntersect is whether a route for host ("*" for a route without
// hostnames) matches a listener's hostname (nil: any). A wildcard
// "*.example.com" matches names with one or more labels before
// example.com, not example.com itself.
func HostnamesIntersect(listener *gwv1.Hostname, host string) bool {
	if listener == nil || *listener == "" || host == "*" {
		return true
	}
	l := strings.ToLower(string(*listener))
	h := strings.ToLower(host)
	return l == h || wildcardCovers(l, h) || wildcardCovers(h, l)
}

func wildcardCovers(w, h string) bool {
	suffix, ok := strings.CutPrefix(w, "*")
	return ok && strings.HasSuffix(h, suffix) && len(h) > len(suffix)
}

// namespaceAllowed reads allowedRoutes.namespaces: Same (the default),
// All, or Selector over the route namespace's labels.
func namespaceAllowed(ar *gwv1.AllowedRoutes, gwNS, routeNS string, nsLabels map[string]string) bool {
	from := gwv1.NamespacesFromSame
	var sel *metav1.LabelSelector
	if ar != nil && ar.Namespaces != nil {
		if ar.Namespaces.From != nil {
			from = *ar.Namespaces.From
		}
		sel = ar.Namespaces.Selector
	}
	switch from {
	case gwv1.NamespacesFromAll:
		return true
	case gwv1.NamespacesFromSelector:
		if sel == nil || nsLabels == nil {
			return false
		}
		s, err := metav1.LabelSelectorAsSelector(sel)
		return err == nil && s.Matches(labels.Set(nsLabels))
	case gwv1.NamespacesFromNone:
		return false
	}
	return gwNS == routeNS
}

// kindAllowed reads allowedRoutes.kinds: empty admits the protocol's
// default kinds (HTTPRoute for HTTP and HTTPS).
func kindAllowed(ar *gwv1.AllowedRoutes) bool {
	if ar == nil || len(ar.Kinds) == 0 {
		return true
	}
	for _, k := range ar.Kinds {
		group := gwv1.GroupName
		if k.Group != nil {
			group = string(*k.Group)
		}
		if group == gwv1.GroupName && k.Kind == "HTTPRoute" {
			return true
		}
	}
	return false
}

// admissionError explains why no listener of gw takes the route, naming
// what to add.
func admissionError(gw *gwv1.Gateway, why Admission, l *gwv1.Listener, routeNS, host string, proto gwv1.ProtocolType) error {
	ref := gw.Namespace + "/" + gw.Name
	switch why {
	case NamespaceNotAllowed:
		return fmt.Errorf("Gateway %s does not allow routes from namespace %s on listener %q: add allowedRoutes.namespaces.from: All to it (or a Selector matching namespace %s)", ref, routeNS, l.Name, routeNS)
	case KindNotAllowed:
		return fmt.Errorf("Gateway %s does not allow HTTPRoutes on listener %q: add kind HTTPRoute to its allowedRoutes.kinds", ref, l.Name)
	case WrongHost:
		return fmt.Errorf("Gateway %s has no %s listener for host %q (listener %q is for %s): add one or use --host with its hostname", ref, proto, host, l.Name, *l.Hostname)
	}
	return fmt.Errorf("Gateway %s has no %s listener: add one", ref, proto)
}
