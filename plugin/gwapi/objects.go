// Package gwapi is the tool's writer and reader for the Kubernetes Gateway
// API as Istio implements it: a Gateway of class istio and an HTTPRoute
// per Service and host. It is pure: it reads a State and returns
// istio.Changes; the plugin reads the cluster and applies them.
package gwapi

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Istio's Gateway API names.
const (
	// ClassName is the GatewayClass Istio installs, ControllerName its
	// controller.
	ClassName      = "istio"
	ControllerName = "istio.io/gateway-controller"
	// GatewayNameLabel is on the pods and Service Istio deploys for a
	// Gateway; older Istio versions set LegacyGatewayNameLabel.
	GatewayNameLabel       = "gateway.networking.k8s.io/gateway-name"
	LegacyGatewayNameLabel = "istio.io/gateway-name"
)

// Resource names as kubectl spells them, for messages.
const (
	GatewaysResource   = "gateways.gateway.networking.k8s.io"
	HTTPRoutesResource = "httproutes.gateway.networking.k8s.io"
)

// GatewayGVR and HTTPRouteGVR are the resources, for discovery.
var (
	GatewayGVR   = schema.GroupVersionResource{Group: gwv1.GroupName, Version: "v1", Resource: "gateways"}
	HTTPRouteGVR = schema.GroupVersionResource{Group: gwv1.GroupName, Version: "v1", Resource: "httproutes"}
)

// ServiceName is the Service Istio deploys for a Gateway of class istio:
// NAME-istio, labelled GatewayNameLabel=NAME.
func ServiceName(gateway string) string { return gateway + "-" + ClassName }

// newGateway is the tool's own Gateway: class istio, managed by the tool.
func newGateway(ref route.ObjectRef, listeners []gwv1.Listener) *gwv1.Gateway {
	return &gwv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: ref.Name, Namespace: ref.Namespace, Labels: managedLabels()},
		Spec:       gwv1.GatewaySpec{GatewayClassName: ClassName, Listeners: listeners},
	}
}

func managedLabels() map[string]string {
	return map[string]string{route.ManagedByLabel: route.ManagedBy}
}
