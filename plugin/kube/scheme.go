package kube

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
)

// Scheme knows the groups the tool reads and writes, and no other: core/v1,
// Istio's networking.istio.io/v1 and the Gateway API's
// gateway.networking.k8s.io/v1. (client-go's kubernetes/scheme registers
// every group of Kubernetes, which links all of their types.)
var Scheme = runtime.NewScheme()

// Codecs and ParameterCodec are Scheme's, as client-go's generated
// clientsets have theirs.
var (
	Codecs         = serializer.NewCodecFactory(Scheme)
	ParameterCodec = runtime.NewParameterCodec(Scheme)
)

// addToScheme registers the groups of Scheme, in order: core/v1 here, each
// other API's group in its own file (istio_scheme.go, gateway_scheme.go).
var addToScheme = []func(*runtime.Scheme) error{
	corev1.AddToScheme,
	addIstioToScheme,
	addGatewayToScheme,
}

func init() {
	// Status, ListOptions, WatchEvent... of the unversioned group, as
	// kubernetes/scheme registers them.
	metav1.AddToGroupVersion(Scheme, schema.GroupVersion{Version: "v1"})
	for _, add := range addToScheme {
		utilruntime.Must(add(Scheme))
	}
}
