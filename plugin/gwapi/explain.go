package gwapi

import (
	"fmt"
	"strings"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// explain writes, for --explain, the plain kubectl look-ups for the Gateway API: the look-ups of the
// Istio docs (the Gateway's status.addresses[0] and its listeners'
// ports once Programmed), or, while its address is pending or only the
// in-cluster name, those of the Service Istio deployed for it.
func explain(rep *route.URLReport, in *resolve.Ingress) string {
	gi := rep.Gateway
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	gtw := fmt.Sprintf("kubectl -n %s get gtw %s -o jsonpath=", resolve.ShellQuote(gi.Namespace), resolve.ShellQuote(gi.Name))
	line("# The same answer with plain kubectl (a shell script: the export lines run as they are):")
	if rep.Service != "" {
		ns, _, _ := strings.Cut(rep.Service, "/")
		line("# the HTTPRoutes of namespace %s, their hostnames, Gateways and backends", ns)
		line(`#   kubectl -n %s get httproutes.gateway.networking.k8s.io -o jsonpath='{range .items[*]}{.metadata.name} {.spec.hostnames} {.spec.parentRefs[*].name} {.spec.rules[*].backendRefs[*].name}{"\n"}{end}'`, ns)
	}
	ep := rep.FirstEndpoint()
	if ep == nil {
		return b.String()
	}
	ports := []struct{ name, listener string }{{"INGRESS_PORT", gi.HTTPListener}, {"SECURE_INGRESS_PORT", gi.HTTPSListener}}
	if ep.Source == SourceGateway {
		line("# Gateway %s/%s (class %s) once Istio has programmed it: its first address and the listeners' ports", gi.Namespace, gi.Name, gi.Class)
		line("#   kubectl -n %s wait --for=condition=programmed gtw %s", gi.Namespace, gi.Name)
		line("export INGRESS_HOST=$(%s'{.status.addresses[0].value}')", gtw)
		for _, p := range ports {
			if p.listener != "" {
				line(`export %s=$(%s'{.spec.listeners[?(@.name=="%s")].port}')`, p.name, gtw, p.listener)
			}
		}
	} else {
		svc := in.Service
		line("# %s: the Service Istio deployed for it, %s/%s (type %s)", gi.Reason, svc.Namespace, svc.Name, svc.Spec.Type)
		line(`#   %s'{.status.conditions[?(@.type=="Programmed")].status} {.status.conditions[?(@.type=="Programmed")].reason} {.status.addresses[0].value}'`, gtw)
		get := fmt.Sprintf("kubectl -n %s get service %s -o jsonpath=", resolve.ShellQuote(svc.Namespace), resolve.ShellQuote(svc.Name))
		field := "port"
		switch ep.Source {
		case "LoadBalancer":
			f := "ip"
			if svc.Status.LoadBalancer.Ingress[0].IP == "" {
				f = "hostname"
			}
			line("export INGRESS_HOST=$(%s'{.status.loadBalancer.ingress[0].%s}')", get, f)
		case "externalIPs":
			line("export INGRESS_HOST=$(%s'{.spec.externalIPs[0]}')", get)
		case "NodePort":
			field = "nodePort"
			line("# a Ready node running the Gateway's pod, and the nodePorts")
			line(`export INGRESS_HOST=$(kubectl get node %s -o jsonpath='{.status.addresses[?(@.type=="%s")].address}')`, ep.Node, route.NodeAddressType(in, ep))
		}
		for _, p := range ports {
			if p.listener == "" {
				continue
			}
			port := rep.Port
			if p.name == "SECURE_INGRESS_PORT" {
				port = rep.SecurePort
			}
			if sp := servicePortNamed(in, port, field); sp != "" {
				line(`export %s=$(%s'{.spec.ports[?(@.name=="%s")].%s}')`, p.name, get, sp, field)
			}
		}
	}
	if rep.GatewayURL != "" {
		line("export GATEWAY_URL=$INGRESS_HOST:$INGRESS_PORT")
	}
	return b.String()
}

// servicePortNamed is the name of the Service port whose port (or
// nodePort, for field nodePort) is n: Istio names them after the
// listeners.
func servicePortNamed(in *resolve.Ingress, n int32, field string) string {
	for _, p := range in.Service.Spec.Ports {
		v := p.Port
		if field == "nodePort" {
			v = p.NodePort
		}
		if v == n {
			return p.Name
		}
	}
	return ""
}
