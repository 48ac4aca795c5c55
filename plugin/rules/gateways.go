package rules

import (
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

// MeshGateway is Istio's reserved gateway name for in-mesh callers.
const MeshGateway = "mesh"

// ObjectRef names a namespaced object.
type ObjectRef struct {
	Namespace, Name string
}

func (r ObjectRef) String() string { return r.Namespace + "/" + r.Name }

// IsMesh is true for the reserved "mesh" gateway.
func (r ObjectRef) IsMesh() bool { return r.Namespace == "" && r.Name == MeshGateway }

// GatewayOf reads one entry of the gateways of a VirtualService of
// namespace vsNS as pilot does (model.resolveGatewayName): "mesh"; "ns/name";
// "./name" and "name" in vsNS; and the legacy "name.ns[.svc.cluster.local]"
// as ns/name.
func GatewayOf(entry, vsNS string) ObjectRef {
	if entry == MeshGateway {
		return ObjectRef{Name: MeshGateway}
	}
	if ns, name, ok := strings.Cut(entry, "/"); ok {
		if ns == "." {
			ns = vsNS
		}
		return ObjectRef{Namespace: ns, Name: name}
	}
	if name, rest, ok := strings.Cut(entry, "."); ok {
		ns, _, _ := strings.Cut(rest, ".")
		return ObjectRef{Namespace: ns, Name: name}
	}
	return ObjectRef{Namespace: vsNS, Name: entry}
}

// BoundGateways are the gateways a VirtualService binds (GatewayOf each
// entry); none means the mesh.
func BoundGateways(vs *networkingv1.VirtualService) []ObjectRef {
	if len(vs.Spec.Gateways) == 0 {
		return []ObjectRef{{Name: MeshGateway}}
	}
	out := make([]ObjectRef, 0, len(vs.Spec.Gateways))
	for _, g := range vs.Spec.Gateways {
		out = append(out, GatewayOf(g, vs.Namespace))
	}
	return out
}

// Binds is true when vs binds gw.
func Binds(vs *networkingv1.VirtualService, gw ObjectRef) bool {
	for _, g := range BoundGateways(vs) {
		if g == gw {
			return true
		}
	}
	return false
}

// GatewayEntry is how a VirtualService in ns names gw: NAME in its own
// namespace, else NS/NAME.
func GatewayEntry(gw ObjectRef, ns string) string {
	if gw.IsMesh() || gw.Namespace == ns {
		return gw.Name
	}
	return gw.Namespace + "/" + gw.Name
}
