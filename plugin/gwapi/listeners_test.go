package gwapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Cases from gateway-api.sigs.k8s.io/reference/spec (Listener.hostname,
// AllowedRoutes, RouteNamespaces).
func TestAdmits(t *testing.T) {
	host := func(h string) *gwv1.Hostname { x := gwv1.Hostname(h); return &x }
	from := func(f gwv1.FromNamespaces, sel map[string]string) *gwv1.AllowedRoutes {
		ar := &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr.To(f)}}
		if sel != nil {
			ar.Namespaces.Selector = &metav1.LabelSelector{MatchLabels: sel}
		}
		return ar
	}
	labels := map[string]string{"kubernetes.io/metadata.name": "apps", "team": "a"}
	for _, c := range []struct {
		name string
		l    gwv1.Listener
		host string
		want Admission
		gwNS string // "" is the route's namespace
	}{
		{"no hostname takes any host", gwv1.Listener{Protocol: "HTTP"}, "a.example.com", Admitted, ""},
		{"same name", gwv1.Listener{Protocol: "HTTP", Hostname: host("a.example.com")}, "A.example.com", Admitted, ""},
		{"wildcard takes a subdomain", gwv1.Listener{Protocol: "HTTP", Hostname: host("*.example.com")}, "foo.bar.example.com", Admitted, ""},
		{"wildcard does not take the domain itself", gwv1.Listener{Protocol: "HTTP", Hostname: host("*.example.com")}, "example.com", WrongHost, ""},
		{"other name", gwv1.Listener{Protocol: "HTTP", Hostname: host("a.example.com")}, "b.example.com", WrongHost, ""},
		{"route for every host attaches to a named listener", gwv1.Listener{Protocol: "HTTP", Hostname: host("a.example.com")}, "*", Admitted, ""},
		{"wrong protocol", gwv1.Listener{Protocol: "HTTPS"}, "*", WrongProtocol, "infra"},
		{"same namespace by default", gwv1.Listener{Protocol: "HTTP"}, "*", NamespaceNotAllowed, "infra"},
		{"All", gwv1.Listener{Protocol: "HTTP", AllowedRoutes: from(gwv1.NamespacesFromAll, nil)}, "*", Admitted, "infra"},
		{"Selector matching", gwv1.Listener{Protocol: "HTTP", AllowedRoutes: from(gwv1.NamespacesFromSelector, map[string]string{"team": "a"})}, "*", Admitted, "infra"},
		{"Selector not matching", gwv1.Listener{Protocol: "HTTP", AllowedRoutes: from(gwv1.NamespacesFromSelector, map[string]string{"team": "b"})}, "*", NamespaceNotAllowed, "infra"},
		{"kinds without HTTPRoute", gwv1.Listener{Protocol: "HTTP", AllowedRoutes: &gwv1.AllowedRoutes{
			Namespaces: &gwv1.RouteNamespaces{From: ptr.To(gwv1.NamespacesFromAll)}, Kinds: []gwv1.RouteGroupKind{{Kind: "GRPCRoute"}}}}, "*", KindNotAllowed, "infra"},
	} {
		t.Run(c.name, func(t *testing.T) {
			gwNS := c.gwNS
			if gwNS == "" {
				gwNS = "apps"
			}
			assert.Equal(t, c.want, Admits(c.l, gwNS, "apps", labels, c.host, gwv1.HTTPProtocolType))
		})
	}
}
