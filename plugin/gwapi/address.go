package gwapi

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Address is where the Istio docs say a Gateway is reached: its
// status.addresses[0] (IP or hostname) once Programmed is True. ok is
// false, with why, when that address is missing, pending (Programmed not
// True, e.g. AddressNotAssigned) or only the in-cluster Service hostname
// (NAME-istio.NS.svc.cluster.local, Istio's answer for a ClusterIP
// Service): then the gateway is reached through its Service's nodePort,
// or a port-forward.
func Address(g *gwv1.Gateway) (addr string, ok bool, why string) {
	ref := g.Namespace + "/" + g.Name
	c := meta.FindStatusCondition(g.Status.Conditions, string(gwv1.GatewayConditionProgrammed))
	switch {
	case c == nil:
		return "", false, fmt.Sprintf("Gateway %s is not Programmed yet (no status from Istio)", ref)
	case c.Status != metav1.ConditionTrue:
		return "", false, fmt.Sprintf("Gateway %s is Programmed=%s %s: %s", ref, c.Status, c.Reason, c.Message)
	case len(g.Status.Addresses) == 0 || g.Status.Addresses[0].Value == "":
		return "", false, fmt.Sprintf("Gateway %s has no status.addresses", ref)
	}
	addr = g.Status.Addresses[0].Value
	if InCluster(addr) {
		return addr, false, fmt.Sprintf("the address of Gateway %s is %s, only known inside the cluster", ref, addr)
	}
	return addr, true, ""
}

// Stale says, when Istio's Programmed condition on g is of an older
// generation than g (the spec changed after Istio last reported on it),
// that its address and listeners may not be in effect yet; "" when the
// condition is current, or absent (Address says so).
func Stale(g *gwv1.Gateway) string {
	c := meta.FindStatusCondition(g.Status.Conditions, string(gwv1.GatewayConditionProgrammed))
	if c == nil || c.ObservedGeneration == 0 || c.ObservedGeneration >= g.Generation {
		return ""
	}
	return fmt.Sprintf("Gateway %s/%s changed (generation %d) after Istio's last report on it (Programmed of generation %d): its address and listeners may not be in effect yet; is istiod running? (kubectl get gtw -n %s %s -o yaml)",
		g.Namespace, g.Name, g.Generation, c.ObservedGeneration, g.Namespace, g.Name)
}

// InCluster is whether an address is a cluster-internal DNS name.
func InCluster(addr string) bool {
	a := strings.TrimSuffix(strings.ToLower(addr), ".")
	return strings.HasSuffix(a, ".svc.cluster.local") || strings.HasSuffix(a, ".svc")
}

// ChooseGateway is the Gateway url and proxy reach without a route to
// follow, from st.Gateways: ref (--gateway) when given, which must exist
// and be Istio's; else the tool's own Gateway (expose-gw) of ns; else the
// only Gateway of Istio (several, or none, are an error naming them).
func ChooseGateway(st State, ns string, ref *route.ObjectRef) (*gwv1.Gateway, error) {
	if ref != nil {
		g := st.gateway(*ref)
		if g == nil {
			return nil, fmt.Errorf("invalid --gateway %q: expected an existing Gateway API Gateway (kubectl get gtw -n %s)", ref.String(), ref.Namespace)
		}
		if !st.istioGateway(g) {
			return nil, classError(g)
		}
		return g, nil
	}
	if g := st.gateway(route.ObjectRef{Namespace: ns, Name: route.DefaultGatewayName}); g != nil && st.istioGateway(g) {
		return g, nil
	}
	var names []string
	var only *gwv1.Gateway
	for _, g := range st.Gateways {
		if st.istioGateway(g) {
			names = append(names, refOf(g).String())
			only = g
		}
	}
	switch len(names) {
	case 0:
		return nil, fmt.Errorf("no Gateway of class %s (Gateway API): create one with `kubectl expose-gw SERVICE`, or name one with --gateway", ClassName)
	case 1:
		return only, nil
	}
	sort.Strings(names)
	return nil, fmt.Errorf("several Gateways of class %s: %s; pick one with --gateway", ClassName, strings.Join(names, ", "))
}

// ClassError says g is not programmed by Istio.
func classError(g *gwv1.Gateway) error {
	return fmt.Errorf("invalid --gateway %q: Gateway %s/%s is of class %q, which Istio does not program (controller %s): expected a Gateway of class %s",
		refOf(g).String(), g.Namespace, g.Name, g.Spec.GatewayClassName, ControllerName, ClassName)
}

// IstioGateway is whether Istio programs g, as st tells.
func (st State) IstioGateway(g *gwv1.Gateway) bool { return st.istioGateway(g) }

// Gateway is the Gateway ref of st, nil when st does not hold it.
func (st State) Gateway(ref route.ObjectRef) *gwv1.Gateway { return st.gateway(ref) }
