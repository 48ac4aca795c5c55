package route

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// ResolvePort picks the Service port to route to: ref by number or name,
// else the Service's only port.
func ResolvePort(svc *corev1.Service, ref PortRef) (int32, error) {
	ports := svc.Spec.Ports
	for _, p := range ports {
		if ref.Number != 0 && p.Port == ref.Number || ref.Name != "" && p.Name == ref.Name {
			return p.Port, nil
		}
	}
	switch {
	case ref != PortRef{}:
		return 0, fmt.Errorf("invalid --port %q: service %s/%s has no such port (it has %s)", ref, svc.Namespace, svc.Name, describePorts(ports))
	case len(ports) == 1:
		return ports[0].Port, nil
	case len(ports) == 0:
		return 0, fmt.Errorf("service %s/%s has no port to route to", svc.Namespace, svc.Name)
	default:
		return 0, fmt.Errorf("service %s/%s has several ports (%s): choose one with --port", svc.Namespace, svc.Name, describePorts(ports))
	}
}

func describePorts(ports []corev1.ServicePort) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = fmt.Sprint(p.Port)
		if p.Name != "" {
			s[i] = p.Name + " " + s[i]
		}
	}
	return strings.Join(s, ", ")
}
