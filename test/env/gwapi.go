package testenv

import (
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// The Gateway API as Istio installs it: the GatewayClass it creates and
// the controller name that class carries.
const (
	GatewayClassName  = "istio"
	GatewayController = "istio.io/gateway-controller"
	// ServiceTypeAnnotation on a Gateway sets the type of the Service Istio
	// deploys for it (default LoadBalancer).
	ServiceTypeAnnotation = "networking.istio.io/service-type"
	// GatewayNameLabel is on everything Istio deploys for a Gateway, and
	// selects its pods.
	GatewayNameLabel = "gateway.networking.k8s.io/gateway-name"
)

// createGatewayClass creates the GatewayClass istiod creates at install.
func (e *Env) createGatewayClass() {
	e.t.Helper()
	gc := &gatewayv1.GatewayClass{
		ObjectMeta: metav1.ObjectMeta{Name: GatewayClassName},
		Spec: gatewayv1.GatewayClassSpec{ControllerName: GatewayController,
			Description: ptr("The default Istio GatewayClass")},
	}
	if _, err := e.GatewayAPI.GatewayV1().GatewayClasses().Create(e.Ctx(), gc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		e.t.Fatalf("creating GatewayClass %s: %v", GatewayClassName, err)
	}
}

func ptr[T any](v T) *T { return &v }

// GatewayDeploymentName is the name of the Service (and the prefix of the
// pod) Istio deploys for Gateway name: NAME-CLASS, unless the Gateway's
// gateway.istio.io/name-override annotation names it.
func GatewayDeploymentName(gw *gatewayv1.Gateway) string {
	if o := gw.Annotations["gateway.istio.io/name-override"]; o != "" {
		return o
	}
	return fmt.Sprintf("%s-%s", gw.Name, gw.Spec.GatewayClassName)
}

// servicePortName is Istio's Service port name for a listener: its name
// with periods as dashes, at most 63 characters, made unique with the port
// number (extractServicePorts in Istio's deployment controller).
func servicePortName(listener string, port int32, used map[string]bool) string {
	name := strings.ReplaceAll(listener, ".", "-")
	if len(name) > 63 {
		name = name[:63]
	}
	cand := name
	for suffix := fmt.Sprintf("-%d", port); used[cand]; suffix += "x" {
		trimmed := name
		if len(trimmed)+len(suffix) > 63 {
			trimmed = trimmed[:63-len(suffix)]
		}
		cand = trimmed + suffix
	}
	used[cand] = true
	return cand
}
