package gwapi

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// gatewayIngress is the Service and pods Istio deploys for the Gateway API
// Gateway ns/name: the Service labelled gateway.networking.k8s.io/
// gateway-name=NAME in its namespace (NAME-istio unless renamed; older
// Istio labels it istio.io/gateway-name), with the pods it selects.
func gatewayIngress(ctx context.Context, c *kube.Clients, ns, name string) (*resolve.Ingress, error) {
	for _, label := range []string{GatewayNameLabel, LegacyGatewayNameLabel} {
		l, err := c.Kube.CoreV1().Services(ns).List(ctx, metav1.ListOptions{LabelSelector: label + "=" + name})
		if err != nil {
			return nil, kube.ExplainAPIError(err, "list", "services")
		}
		if len(l.Items) > 0 {
			return resolve.FindIngress(ctx, c.Kube, resolve.Options{Service: l.Items[0].Name, Namespace: ns})
		}
	}
	return nil, fmt.Errorf("Gateway %s/%s has no Service yet (Istio deploys %s/%s, labelled %s=%s, for a Gateway of class %s): is Istio running? (kubectl get gtw %s -n %s -o yaml shows its status)",
		ns, name, ns, ServiceName(name), GatewayNameLabel, name, ClassName, name, ns)
}
