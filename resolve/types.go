// Package resolve finds the Istio ingress gateway Service that serves a
// Gateway selector, its ports by role, and the addresses it can be reached
// at from outside the cluster (LoadBalancer, NodePort, externalIPs), or says
// why it can only be reached through a port-forward.
//
// This file is the package's contract, used by the expose, url and proxy
// commands.
package resolve

import (
	corev1 "k8s.io/api/core/v1"
)

// DefaultSelector is the selector of the Istio ingress gateway pods.
var DefaultSelector = map[string]string{"istio": "ingressgateway"}

// Documented fall-back location of the ingress gateway Service.
const (
	DefaultIngressNamespace = "istio-system"
	DefaultIngressService   = "istio-ingressgateway"
)

// Options chooses the ingress gateway.
type Options struct {
	// Selector is the Gateway's workload selector. Nil means none was
	// given: istio=ingressgateway, else the one ingress gateway running
	// (see FindGateway).
	Selector map[string]string
	// Service and Namespace (--ingress-service, --ingress-namespace) name
	// the gateway Service directly, overriding the selector search.
	Service, Namespace string
}

// Ingress is the ingress gateway Service chosen for a selector.
type Ingress struct {
	Service *corev1.Service
	// Pods are the gateway pods the Service selects, Running ones first.
	Pods []corev1.Pod
	// Reason says how the Service was chosen (shown when there were
	// several candidates or a fall-back was used); empty when obvious.
	Reason string
	// Selector is the selector of the gateway pods (nil for
	// --ingress-service): the one given, or the one found (Discovered).
	Selector map[string]string
	// Discovered is true when no selector was given and Selector was found
	// by the pods' istio label (see FindGateway); Found says so in a line.
	Discovered bool
	// Warning says why the search for the gateway was narrowed (forbidden).
	Warning string

	// nodes caches the Ready nodes found for nodePort addresses, so the
	// http, https and tcp Endpoints of one Ingress fetch them once.
	nodes     []corev1.Node
	nodesDone bool
}

// Role is what a gateway port is for.
type Role string

// Port roles, found by port name (http2 then http; https; tcp).
const (
	RoleHTTP  Role = "http"
	RoleHTTPS Role = "https"
	RoleTCP   Role = "tcp"
)

// Endpoint is one external way in: scheme://Host:Port.
type Endpoint struct {
	Scheme string // http or https
	Host   string // IP or DNS name
	Port   int32  // Service port (LoadBalancer, externalIPs) or nodePort
	// Source is where the address comes from: "LoadBalancer",
	// "NodePort", "externalIPs".
	Source string
	// Node is the node name for NodePort addresses.
	Node string
}

// Unreachable is returned when the gateway has no address reachable from
// outside the cluster (ClusterIP only, LoadBalancer pending with no
// nodePort, no Ready node): the way in is a port-forward.
type Unreachable struct {
	Reason string
}

func (u *Unreachable) Error() string {
	return "the ingress gateway cannot be reached from outside the cluster: " + u.Reason +
		"; use `kubectl expose-gw proxy` to reach it through a port-forward"
}
