// Package kube is the tool's clientset: typed clients of the few kinds it
// reads and writes (core/v1 Services, Pods, Nodes, Namespaces, Secrets;
// Istio's Gateways and VirtualServices; the Gateway API's GatewayClasses,
// Gateways and HTTPRoutes) and the standard kubectl connection flags.
//
// The clients are client-go's own generic typed client (gentype, which the
// generated clientsets are made of) over a scheme of just those groups;
// the flags are client-go's clientcmd bindings. The generated clientsets
// and cli-runtime's ConfigFlags would each link every API group of
// Kubernetes (client-go's kubernetes/scheme registers them all, and
// ConfigFlags imports the discovery client and kustomize): about 35 MB of
// the binary for kinds the tool never touches. The interfaces are the
// generated clients' method sets, so the library's clients and fakes fit
// them (package kubelib adapts them for tests).
package kube
