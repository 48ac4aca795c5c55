// Package kubelib adapts the generated clientsets of client-go, Istio and
// the Gateway API to package kube's interfaces: for tests, which use the
// libraries' fake clientsets for pure logic and compare kube's clients with
// the libraries' against a real API server. The plugin never imports it
// (it would link what package kube leaves out).
package kubelib

import (
	istionet "istio.io/client-go/pkg/apis/networking/v1"
	istioclient "istio.io/client-go/pkg/clientset/versioned"
	istiotyped "istio.io/client-go/pkg/clientset/versioned/typed/networking/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/typed/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// Kube is k as a kube.Kube.
func Kube(k kubernetes.Interface) kube.Kube { return kubeAdapter{k} }

// Istio is i as a kube.Istio.
func Istio(i istioclient.Interface) kube.Istio { return istioAdapter{i} }

// Gateway is g as a kube.GatewayV1.
func Gateway(g gwclient.GatewayV1Interface) kube.GatewayV1 { return gatewayAdapter{g} }

type kubeAdapter struct{ k kubernetes.Interface }

func (a kubeAdapter) CoreV1() kube.CoreV1 { return coreAdapter{a.k.CoreV1()} }

type coreAdapter struct{ c typedcorev1.CoreV1Interface }

func (a coreAdapter) RESTClient() rest.Interface { return a.c.RESTClient() }

func (a coreAdapter) Services(ns string) kube.Client[*corev1.Service, *corev1.ServiceList] {
	return a.c.Services(ns)
}

func (a coreAdapter) Pods(ns string) kube.Client[*corev1.Pod, *corev1.PodList] {
	return a.c.Pods(ns)
}

func (a coreAdapter) Secrets(ns string) kube.Client[*corev1.Secret, *corev1.SecretList] {
	return a.c.Secrets(ns)
}

func (a coreAdapter) Nodes() kube.Client[*corev1.Node, *corev1.NodeList] { return a.c.Nodes() }

func (a coreAdapter) Namespaces() kube.Client[*corev1.Namespace, *corev1.NamespaceList] {
	return a.c.Namespaces()
}

type istioAdapter struct{ i istioclient.Interface }

func (a istioAdapter) NetworkingV1() kube.IstioNetworkingV1 {
	return istioNetAdapter{a.i.NetworkingV1()}
}

type istioNetAdapter struct {
	n istiotyped.NetworkingV1Interface
}

func (a istioNetAdapter) Gateways(ns string) kube.Client[*istionet.Gateway, *istionet.GatewayList] {
	return a.n.Gateways(ns)
}

func (a istioNetAdapter) VirtualServices(ns string) kube.Client[*istionet.VirtualService, *istionet.VirtualServiceList] {
	return a.n.VirtualServices(ns)
}

type gatewayAdapter struct{ g gwclient.GatewayV1Interface }

func (a gatewayAdapter) GatewayClasses() kube.Client[*gwv1.GatewayClass, *gwv1.GatewayClassList] {
	return a.g.GatewayClasses()
}

func (a gatewayAdapter) Gateways(ns string) kube.Client[*gwv1.Gateway, *gwv1.GatewayList] {
	return a.g.Gateways(ns)
}

func (a gatewayAdapter) HTTPRoutes(ns string) kube.Client[*gwv1.HTTPRoute, *gwv1.HTTPRouteList] {
	return a.g.HTTPRoutes(ns)
}

func (a gatewayAdapter) GRPCRoutes(ns string) kube.Client[*gwv1.GRPCRoute, *gwv1.GRPCRouteList] {
	return a.g.GRPCRoutes(ns)
}

func (a gatewayAdapter) TLSRoutes(ns string) kube.Client[*gwv1.TLSRoute, *gwv1.TLSRouteList] {
	return a.g.TLSRoutes(ns)
}

func (a gatewayAdapter) TCPRoutes(ns string) kube.Client[*gwv1.TCPRoute, *gwv1.TCPRouteList] {
	return a.g.TCPRoutes(ns)
}

func (a gatewayAdapter) UDPRoutes(ns string) kube.Client[*gwv1.UDPRoute, *gwv1.UDPRouteList] {
	return a.g.UDPRoutes(ns)
}

func (a gatewayAdapter) ListenerSets(ns string) kube.Client[*gwv1.ListenerSet, *gwv1.ListenerSetList] {
	return a.g.ListenerSets(ns)
}
