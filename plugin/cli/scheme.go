package cli

import (
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// scheme knows the kinds the tool writes, of both APIs: the printers set
// apiVersion and kind from it (the typed clients strip them).
var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(networkingv1.AddToScheme(scheme))
	utilruntime.Must(gwv1.Install(scheme))
}

// withKind is a copy of obj with its apiVersion and kind set.
func withKind(obj route.Object) runtime.Object {
	out := obj.DeepCopyObject()
	if gvks, _, err := scheme.ObjectKinds(out); err == nil && len(gvks) > 0 {
		out.GetObjectKind().SetGroupVersionKind(gvks[0])
	}
	return out
}
