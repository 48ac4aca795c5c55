package gwapi

import (
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// State is what the cluster holds of the Gateway API, as the plan needs
// it.
type State struct {
	// Gateways and Routes are those of every namespace when they could
	// be read, else of the Service's namespace (and the --gateway one).
	Gateways []*gwv1.Gateway
	Routes   []*gwv1.HTTPRoute
	// Classes are the GatewayClasses' controllers by name.
	Classes map[string]string
	// NamespaceLabels are the route namespace's labels, for listeners
	// that select namespaces (nil when not read).
	NamespaceLabels map[string]string
	// Attached are the routes of other kinds (GRPCRoute, TLSRoute,
	// TCPRoute, UDPRoute) and the ListenerSets attached to each Gateway,
	// as "Kind namespace/name", when delete read them; AttachedUnknown
	// when it could not (forbidden): Istio's attachedRoutes counts stand
	// in for them.
	Attached        map[route.ObjectRef][]string
	AttachedUnknown bool
}

// istioGateway is whether Istio programs g: its class's controller is
// Istio's (a class not read is taken by its name, "istio").
func (st State) istioGateway(g *gwv1.Gateway) bool {
	if c, ok := st.Classes[string(g.Spec.GatewayClassName)]; ok {
		return c == ControllerName
	}
	return g.Spec.GatewayClassName == ClassName
}

func (st State) gateway(ref route.ObjectRef) *gwv1.Gateway {
	for _, g := range st.Gateways {
		if g.Namespace == ref.Namespace && g.Name == ref.Name {
			return g
		}
	}
	return nil
}

func (st State) route(ns, name string) *gwv1.HTTPRoute {
	for _, r := range st.Routes {
		if r.Namespace == ns && r.Name == name {
			return r
		}
	}
	return nil
}
