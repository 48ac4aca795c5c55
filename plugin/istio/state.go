package istio

import networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

// State is what the cluster holds in the namespace (and the --gateway one).
type State struct {
	Gateways        []*networkingv1.Gateway
	VirtualServices []*networkingv1.VirtualService
	// Managed are the tool's VirtualServices in every namespace (delete
	// reads them: a Gateway may be bound from other namespaces), and
	// ManagedUnknown is true when they could not be read (forbidden
	// cluster-wide): delete then keeps Gateways as they are.
	Managed        []*networkingv1.VirtualService
	ManagedUnknown bool
	// OtherGateways are the Gateways of other namespaces, when they could
	// be read: expose warns of those a new server would conflict with.
	OtherGateways []*networkingv1.Gateway
	// OtherVirtualServices are the VirtualServices of other namespaces,
	// when they could be read: Istio merges those bound to the same
	// gateway workload and host into one virtual host (CheckReach).
	OtherVirtualServices []*networkingv1.VirtualService
	// OthersUnknown is true when the objects of other namespaces could not
	// be read (forbidden): CheckReach then sees this namespace only.
	OthersUnknown bool
}
