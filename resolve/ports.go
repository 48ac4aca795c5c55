package resolve

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// portNames are the Service port names of each role, in order of preference.
var portNames = map[Role][]string{
	RoleHTTP:  {"http2", "http"},
	RoleHTTPS: {"https"},
	RoleTCP:   {"tcp"},
}

// PortNames are the port names Port looks for, in order, for role.
func PortNames(role Role) []string {
	return portNames[role]
}

// Port returns the gateway Service port of role, found by name: http2 then
// http for HTTP, https for HTTPS, tcp for TCP.
func (in *Ingress) Port(role Role) (*corev1.ServicePort, bool) {
	for _, name := range portNames[role] {
		for i := range in.Service.Spec.Ports {
			if in.Service.Spec.Ports[i].Name == name {
				return &in.Service.Spec.Ports[i], true
			}
		}
	}
	return nil, false
}

// PortForNumber returns the gateway Service port whose port, else whose
// numeric targetPort, equals n (a Gateway server's port number is the port
// Envoy listens on, which is the Service's targetPort).
func (in *Ingress) PortForNumber(n int32) (*corev1.ServicePort, bool) {
	ports := in.Service.Spec.Ports
	for i := range ports {
		if ports[i].Port == n {
			return &ports[i], true
		}
	}
	for i := range ports {
		if ports[i].TargetPort.Type == intstr.Int && ports[i].TargetPort.IntVal == n {
			return &ports[i], true
		}
	}
	return nil, false
}
