package kube

import (
	istionet "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
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

func init() {
	// Status, ListOptions, WatchEvent... of the unversioned group, as
	// kubernetes/scheme registers them.
	metav1.AddToGroupVersion(Scheme, schema.GroupVersion{Version: "v1"})
	utilruntime.Must(corev1.AddToScheme(Scheme))
	utilruntime.Must(istionet.AddToScheme(Scheme))
	utilruntime.Must(gwv1.Install(Scheme))
}
