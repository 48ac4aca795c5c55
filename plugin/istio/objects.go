package istio

import (
	"maps"
	"slices"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// API version and kinds written (the typed clients strip them on read).
var (
	GatewayKind        = networkingv1.SchemeGroupVersion.WithKind("Gateway")
	VirtualServiceKind = networkingv1.SchemeGroupVersion.WithKind("VirtualService")
)

// Binds is true when vs routes host on gw.
func Binds(vs *networkingv1.VirtualService, host string, gw route.ObjectRef) bool {
	return slices.Contains(vs.Spec.Hosts, host) && rules.Binds(vs, gw)
}

// NewGateway is the tool's Gateway with servers for specs.
func NewGateway(ref route.ObjectRef, sel map[string]string, specs []ServerSpec) *networkingv1.Gateway {
	gw := &networkingv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: ref.Name, Namespace: ref.Namespace, Labels: route.ManagedLabels()},
		Spec:       apinet.Gateway{Selector: maps.Clone(sel)},
	}
	gw.SetGroupVersionKind(GatewayKind)
	EnsureServers(gw, specs)
	return gw
}

// NewVirtualService is the tool's VirtualService for host on gateways.
func NewVirtualService(name, ns, host string, gateways []string, routes []*apinet.HTTPRoute) *networkingv1.VirtualService {
	vs := &networkingv1.VirtualService{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: route.ManagedLabels()},
		Spec:       apinet.VirtualService{Hosts: []string{host}, Gateways: gateways, Http: routes},
	}
	vs.SetGroupVersionKind(VirtualServiceKind)
	return vs
}
