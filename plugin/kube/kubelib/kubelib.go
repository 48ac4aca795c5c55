// Package kubelib adapts the generated clientsets of client-go, Istio and
// the Gateway API to package kube's interfaces: for tests, which use the
// libraries' fake clientsets for pure logic and compare kube's clients with
// the libraries' against a real API server. The plugin never imports it
// (it would link what package kube leaves out).
package kubelib

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// Kube is k as a kube.Kube.
func Kube(k kubernetes.Interface) kube.Kube { return kubeAdapter{k} }

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
