package istio

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// explain returns a shell script of plain kubectl look-ups that give the
// same answer as `url -o env` (the jsonpath look-ups of the Istio docs).
func explain(rep *route.URLReport, in *resolve.Ingress, sel map[string]string) string {
	svc := in.Service
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	line("# The same answer with plain kubectl (a shell script: the export lines run as they are):")
	if rep.Service != "" {
		ns, _, _ := strings.Cut(rep.Service, "/")
		line("# the VirtualServices of namespace %s, their hosts and Gateways", ns)
		line(`#   kubectl -n %s get virtualservices.networking.istio.io -o jsonpath='{range .items[*]}{.metadata.name} {.spec.hosts} {.spec.gateways}{"\n"}{end}'`, ns)
	}
	if len(sel) == 0 {
		sel = resolve.DefaultSelector
	}
	if in.Discovered {
		line("# no pod matches %s: the pods with an istio label, egress gateways and istiod (pilot) left out, are one ingress gateway", labels.SelectorFromSet(resolve.DefaultSelector))
		line(`#   kubectl get pods --all-namespaces -l %s -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.metadata.labels.%s}{"\n"}{end}'`, resolve.IstioLabel, resolve.IstioLabel)
	}
	line("# the gateway pods (selector %s) and the Services selecting them", labels.SelectorFromSet(sel))
	line(`#   kubectl get pods --all-namespaces -l %s -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.status.phase} {.spec.nodeName}{"\n"}{end}'`, labels.SelectorFromSet(sel))
	line(`#   kubectl -n %s get services -o jsonpath='{range .items[*]}{.metadata.name} {.spec.type} {.spec.selector}{"\n"}{end}'`, svc.Namespace)
	line("export INGRESS_NAME=%s", resolve.ShellQuote(svc.Name))
	line("export INGRESS_NS=%s", resolve.ShellQuote(svc.Namespace))
	get := `kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath=`
	if host := rep.FirstEndpoint(); host != nil {
		switch host.Source {
		case "LoadBalancer":
			field := "ip"
			if svc.Status.LoadBalancer.Ingress[0].IP == "" {
				field = "hostname"
			}
			line("# type %s with a load balancer: its first address and the Service ports", svc.Spec.Type)
			line("export INGRESS_HOST=$(%s'{.status.loadBalancer.ingress[0].%s}')", get, field)
		case "externalIPs":
			line("# spec.externalIPs and the Service ports")
			line("export INGRESS_HOST=$(%s'{.spec.externalIPs[0]}')", get)
		case "NodePort":
			line("# type %s without a load balancer address: a Ready node running a gateway pod, and the nodePorts", svc.Spec.Type)
			line("# (the Istio docs take the gateway pod's host IP: kubectl -n \"$INGRESS_NS\" get pods -l %s -o jsonpath='{.items[0].status.hostIP}')", labels.SelectorFromSet(sel))
			line(`export INGRESS_HOST=$(kubectl get node %s -o jsonpath='{.status.addresses[?(@.type=="%s")].address}')`, host.Node, route.NodeAddressType(in, host))
		}
		field := "port"
		if host.Source == "NodePort" {
			field = "nodePort"
		}
		for _, v := range []struct {
			name string
			role resolve.Role
			set  bool
		}{{"INGRESS_PORT", resolve.RoleHTTP, rep.Port != 0}, {"SECURE_INGRESS_PORT", resolve.RoleHTTPS, rep.SecurePort != 0}, {"TCP_INGRESS_PORT", resolve.RoleTCP, rep.TCPPort != 0}} {
			if p, ok := in.Port(v.role); ok && v.set {
				line(`export %s=$(%s'{.spec.ports[?(@.name=="%s")].%s}')`, v.name, get, p.Name, field)
			}
		}
	}
	if rep.GatewayURL != "" {
		line("export GATEWAY_URL=$INGRESS_HOST:$INGRESS_PORT")
	}
	return b.String()
}
