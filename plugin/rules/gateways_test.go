package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// From istio.io's VirtualService reference (gateways): "Gateways in other
// namespaces may be referred to by <gateway namespace>/<gateway name>;
// specifying a gateway with no namespace qualifier is the same as
// specifying the VirtualService's namespace. ... The reserved word mesh is
// used to imply all the sidecars in the mesh. When this field is omitted,
// the default gateway (mesh) will be used". Pilot also reads "./name" and
// the legacy FQDN form name.namespace.svc.cluster.local.
func TestGatewayOf(t *testing.T) {
	cases := map[string]ObjectRef{
		"mesh":                                   {Name: "mesh"},
		"istio-system/ingress":                   {Namespace: "istio-system", Name: "ingress"},
		"ingress":                                {Namespace: "app", Name: "ingress"},
		"./ingress":                              {Namespace: "app", Name: "ingress"},
		"ingress.istio-system.svc.cluster.local": {Namespace: "istio-system", Name: "ingress"},
		"ingress.istio-system":                   {Namespace: "istio-system", Name: "ingress"},
	}
	for entry, want := range cases {
		assert.Equal(t, want, GatewayOf(entry, "app"), entry)
	}
	assert.True(t, GatewayOf("mesh", "app").IsMesh())
	assert.False(t, GatewayOf("app/mesh", "app").IsMesh(), "a Gateway named mesh in a namespace is a Gateway")
}

func TestBoundGatewaysAndEntry(t *testing.T) {
	vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Namespace: "app"}}
	assert.Equal(t, []ObjectRef{{Name: MeshGateway}}, BoundGateways(vs), "no gateways: the mesh")
	vs.Spec = apinet.VirtualService{Gateways: []string{"g", "istio-system/shared", "mesh"}}
	assert.Equal(t, []ObjectRef{{Namespace: "app", Name: "g"}, {Namespace: "istio-system", Name: "shared"}, {Name: MeshGateway}}, BoundGateways(vs))
	assert.True(t, Binds(vs, ObjectRef{Namespace: "istio-system", Name: "shared"}))
	assert.False(t, Binds(vs, ObjectRef{Namespace: "app", Name: "shared"}))
	for _, ref := range BoundGateways(vs) {
		assert.Equal(t, ref, GatewayOf(GatewayEntry(ref, "app"), "app"), "GatewayEntry is read back as it was")
	}
}
