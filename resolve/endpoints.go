package resolve

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// MaxNodes bounds how many nodes NodePort addresses are taken from, so the
// number of requests does not grow with the cluster.
const MaxNodes = 5

// Endpoints returns the ways into in's port of role from outside the
// cluster, best first:
//
//   - status.loadBalancer.ingress entries (ip or hostname) with the Service port;
//   - spec.externalIPs with the Service port;
//   - for NodePort, or a LoadBalancer still pending, the nodePort on the nodes
//     running a Ready gateway pod (ExternalIP, else InternalIP); other Ready
//     nodes only when no gateway pod is Ready and externalTrafficPolicy is
//     Cluster. Nodes that are not Ready are never used.
//
// The error is *Unreachable when only a port-forward can reach the gateway.
func Endpoints(ctx context.Context, kube kube.Kube, in *Ingress, role Role) ([]Endpoint, error) {
	port, ok := in.Port(role)
	if !ok {
		return nil, fmt.Errorf("gateway Service %s has no %s port (expected a port named %s)",
			key(in.Service), role, strings.Join(PortNames(role), " or "))
	}
	return EndpointsForPort(ctx, kube, in, port, string(role))
}

// EndpointsForPort is Endpoints for a given port of in.Service (e.g. found
// with PortForNumber from a Gateway server), with URLs of scheme.
func EndpointsForPort(ctx context.Context, kube kube.Kube, in *Ingress, port *corev1.ServicePort, scheme string) ([]Endpoint, error) {
	svc := in.Service
	var eps []Endpoint
	for _, lb := range svc.Status.LoadBalancer.Ingress {
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			break
		}
		host := lb.IP
		if host == "" {
			host = lb.Hostname
		}
		if host != "" {
			eps = append(eps, Endpoint{Scheme: scheme, Host: host, Port: port.Port, Source: "LoadBalancer"})
		}
	}
	for _, ip := range svc.Spec.ExternalIPs {
		eps = append(eps, Endpoint{Scheme: scheme, Host: ip, Port: port.Port, Source: "externalIPs"})
	}
	if len(eps) > 0 {
		return eps, nil
	}
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
	default:
		return nil, &Unreachable{Reason: fmt.Sprintf("gateway Service %s is of type %s, without external IPs", key(svc), typeOf(svc))}
	}
	if port.NodePort == 0 {
		return nil, &Unreachable{Reason: fmt.Sprintf("gateway Service %s is a LoadBalancer still pending and its %s port has no nodePort", key(svc), port.Name)}
	}
	nodes, err := gatewayNodes(ctx, kube, in)
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		for _, a := range nodeAddresses(&n) {
			eps = append(eps, Endpoint{Scheme: scheme, Host: a, Port: port.NodePort, Source: "NodePort", Node: n.Name})
		}
	}
	if len(eps) == 0 {
		return nil, &Unreachable{Reason: fmt.Sprintf("no Ready node with an address serves nodePort %d of gateway Service %s", port.NodePort, key(svc))}
	}
	return eps, nil
}

func typeOf(svc *corev1.Service) corev1.ServiceType {
	if svc.Spec.Type == "" {
		return corev1.ServiceTypeClusterIP
	}
	return svc.Spec.Type
}

// gatewayNodes returns the Ready nodes to use for a nodePort: those running a
// Ready gateway pod (fetched by name), else, when no gateway pod is Ready
// and traffic may cross nodes, a few Ready nodes from one bounded list.
func gatewayNodes(ctx context.Context, kube kube.Kube, in *Ingress) ([]corev1.Node, error) {
	if in.nodesDone {
		return in.nodes, nil
	}
	nodes, err := findNodes(ctx, kube, in)
	if err != nil {
		return nil, err
	}
	in.nodes, in.nodesDone = nodes, true
	return nodes, nil
}

func findNodes(ctx context.Context, kube kube.Kube, in *Ingress) ([]corev1.Node, error) {
	var names []string
	seen := map[string]bool{}
	for i := range in.Pods {
		p := &in.Pods[i]
		if PodReady(p) && p.Spec.NodeName != "" && !seen[p.Spec.NodeName] && len(names) < MaxNodes {
			seen[p.Spec.NodeName] = true
			names = append(names, p.Spec.NodeName)
		}
	}
	var nodes []corev1.Node
	for _, name := range names {
		n, err := kube.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("getting node %s of the gateway pods for the nodePort address: %w", name, err)
		}
		if NodeReady(n) {
			nodes = append(nodes, *n)
		}
	}
	if len(names) > 0 || in.Service.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal {
		if len(nodes) == 0 && len(names) == 0 {
			return nil, &Unreachable{Reason: fmt.Sprintf("gateway Service %s has externalTrafficPolicy Local and no Ready gateway pod", key(in.Service))}
		}
		return nodes, nil
	}
	// No Ready gateway pod is known: any Ready node forwards the nodePort.
	l, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: 50})
	if err != nil {
		return nil, fmt.Errorf("listing nodes for the nodePort address: %w", err)
	}
	for i := range l.Items {
		if NodeReady(&l.Items[i]) && len(nodes) < MaxNodes {
			nodes = append(nodes, l.Items[i])
		}
	}
	return nodes, nil
}

// NodeReady is true when the node's Ready condition is True.
func NodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// nodeAddresses are the node's ExternalIPs, else its InternalIPs.
func nodeAddresses(n *corev1.Node) []string {
	for _, t := range []corev1.NodeAddressType{corev1.NodeExternalIP, corev1.NodeInternalIP} {
		var out []string
		for _, a := range n.Status.Addresses {
			if a.Type == t && a.Address != "" {
				out = append(out, a.Address)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// Nodes are the Ready nodes Endpoints took nodePort addresses from.
func (in *Ingress) Nodes() []corev1.Node {
	return in.nodes
}
