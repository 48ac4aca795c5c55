package diagnose

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// ServicePort is the port of the gateway's Service that the URL's port
// names: one of its ports, else one of its NodePorts (e.Gateway says
// which). Anything else is the user's mistake; what names the Service in
// the message ("the gateway Service").
func ServicePort(e *route.Explanation, svc *corev1.Service, in *route.ExplainInput, what string) (corev1.ServicePort, error) {
	e.Gateway.Namespace, e.Gateway.Service = svc.Namespace, svc.Name
	for _, p := range svc.Spec.Ports {
		if int(p.Port) == in.Port {
			e.Gateway.Port = p.Port
			return p, nil
		}
	}
	var ports []string
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 && int(p.NodePort) == in.Port {
			e.Gateway.Port, e.Gateway.NodePort = p.Port, p.NodePort
			return p, nil
		}
		s := fmt.Sprint(p.Port)
		if p.NodePort != 0 {
			s += fmt.Sprintf(" (NodePort %d)", p.NodePort)
		}
		ports = append(ports, s)
	}
	return corev1.ServicePort{}, fmt.Errorf("port %d of %s: not a port of %s %s/%s: expected one of %s", in.Port, in.URL, what, svc.Namespace, svc.Name, strings.Join(ports, ", "))
}

// NodePortNote is " (reached as NodePort N)" when the URL named the
// Service port by its NodePort, for the first hop.
func NodePortNote(e *route.Explanation) string {
	if e.Gateway.NodePort == 0 {
		return ""
	}
	return fmt.Sprintf(" (reached as NodePort %d)", e.Gateway.NodePort)
}
