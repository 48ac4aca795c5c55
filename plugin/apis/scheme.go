package apis

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"

	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// scheme knows the kinds the tool writes, of both APIs: the printers set
// apiVersion and kind from it (the typed clients strip them).
var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(corev1.AddToScheme(scheme)) // the Secrets of --tls self-signed
	utilruntime.Must(istio.AddToScheme(scheme))
	utilruntime.Must(gwapi.AddToScheme(scheme))
}

// WithKind is a copy of obj with its apiVersion and kind set.
func WithKind(obj route.Object) runtime.Object {
	out := obj.DeepCopyObject()
	if gvks, _, err := scheme.ObjectKinds(out); err == nil && len(gvks) > 0 {
		out.GetObjectKind().SetGroupVersionKind(gvks[0])
	}
	return out
}
