package gwapi

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// SourceGateway is the Endpoint.Source of a Gateway API Gateway's
// status.addresses.
const SourceGateway = "Gateway"

// gatewayTarget is how url and proxy reach a Gateway API Gateway: its
// status address (Address), else the Service Istio deployed for it
// (gatewayIngress) by nodePort, read once.
type gatewayTarget struct {
	c    *kube.Clients
	g    *gwv1.Gateway
	addr string
	ok   bool
	why  string

	in     *resolve.Ingress
	inErr  error
	looked bool
}

func newGatewayTarget(c *kube.Clients, g *gwv1.Gateway) *gatewayTarget {
	t := &gatewayTarget{c: c, g: g}
	t.addr, t.ok, t.why = Address(g)
	return t
}

func (t *gatewayTarget) ref() string { return t.g.Namespace + "/" + t.g.Name }

// ingress is the Gateway's Service and pods, looked up once.
func (t *gatewayTarget) ingress(ctx context.Context) (*resolve.Ingress, error) {
	if !t.looked {
		t.looked = true
		t.in, t.inErr = gatewayIngress(ctx, t.c, t.g.Namespace, t.g.Name)
	}
	return t.in, t.inErr
}

// endpoints are the ways into the listener on port from outside the
// cluster: the Gateway's address, else the nodePort of its Service on
// the nodes resolve chooses. *resolve.Unreachable when there is none.
func (t *gatewayTarget) endpoints(ctx context.Context, port int32, scheme string) ([]resolve.Endpoint, error) {
	if t.ok {
		return []resolve.Endpoint{{Scheme: scheme, Host: t.addr, Port: port, Source: SourceGateway}}, nil
	}
	in, err := t.ingress(ctx)
	if err != nil {
		return nil, err
	}
	sp, ok := in.PortForNumber(port)
	if !ok {
		return nil, fmt.Errorf("gateway Service %s/%s has no port %d for the listener of Gateway %s", in.Service.Namespace, in.Service.Name, port, t.ref())
	}
	eps, err := resolve.EndpointsForPort(ctx, t.c.Kube, in, sp, scheme)
	var un *resolve.Unreachable
	if errors.As(err, &un) {
		return nil, &resolve.Unreachable{Reason: t.why + "; " + un.Reason}
	}
	return eps, err
}

// podSelector is the label selector of the Gateway's pods: Istio's
// gateway.networking.k8s.io/gateway-name=NAME, or older Istio's
// istio.io/gateway-name=NAME when only that matches.
func (t *gatewayTarget) podSelector(ctx context.Context) (string, error) {
	for _, label := range []string{GatewayNameLabel, LegacyGatewayNameLabel} {
		sel := label + "=" + t.g.Name
		l, err := t.c.Kube.CoreV1().Pods(t.g.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel, Limit: 1})
		if err != nil {
			return "", kube.ExplainAPIError(err, "list", "pods")
		}
		if len(l.Items) > 0 {
			return sel, nil
		}
	}
	return "", fmt.Errorf("Gateway %s has no pod (labelled %s=%s in namespace %s): is Istio running? (kubectl get gtw %s -n %s -o yaml shows its status)",
		t.ref(), GatewayNameLabel, t.g.Name, t.g.Namespace, t.g.Name, t.g.Namespace)
}
