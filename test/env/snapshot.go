package testenv

import (
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RouteObjects is every Gateway, VirtualService and HTTPRoute of the
// cluster, both APIs, as "kind ns/name uid rv", sorted: two equal
// snapshots mean nothing of them was written, created again or deleted
// in between. An API the cluster does not serve has none.
func (e *Env) RouteObjects() []string {
	e.t.Helper()
	ctx := e.Ctx()
	all := metav1.NamespaceAll
	var out []string
	add := func(kind string, err error, items []metav1.Object) {
		if err != nil && !apierrors.IsNotFound(err) {
			e.t.Fatalf("listing %s: %v", kind, err)
		}
		for _, o := range items {
			out = append(out, kind+" "+o.GetNamespace()+"/"+o.GetName()+" "+string(o.GetUID())+" "+o.GetResourceVersion())
		}
	}
	if l, err := e.Istio.NetworkingV1().Gateways(all).List(ctx, metav1.ListOptions{}); err == nil {
		add("gateway.networking.istio.io", nil, metaOf(l.Items))
	} else {
		add("gateway.networking.istio.io", err, nil)
	}
	if l, err := e.Istio.NetworkingV1().VirtualServices(all).List(ctx, metav1.ListOptions{}); err == nil {
		add("virtualservice", nil, metaOf(l.Items))
	} else {
		add("virtualservice", err, nil)
	}
	if l, err := e.GatewayAPI.GatewayV1().Gateways(all).List(ctx, metav1.ListOptions{}); err == nil {
		add("gateway.gateway.networking.k8s.io", nil, objects(l.Items))
	} else {
		add("gateway.gateway.networking.k8s.io", err, nil)
	}
	if l, err := e.GatewayAPI.GatewayV1().HTTPRoutes(all).List(ctx, metav1.ListOptions{}); err == nil {
		add("httproute", nil, objects(l.Items))
	} else {
		add("httproute", err, nil)
	}
	slices.Sort(out)
	return out
}

// objects are pointers to items as metav1.Object (T's pointer type must
// implement it: every typed API object does).
func objects[T any, P interface {
	*T
	metav1.Object
}](items []T) []metav1.Object {
	out := make([]metav1.Object, len(items))
	for i := range items {
		out[i] = P(&items[i])
	}
	return out
}

// metaOf is items (pointers already) as metav1.Object.
func metaOf[P metav1.Object](items []P) []metav1.Object {
	out := make([]metav1.Object, len(items))
	for i, it := range items {
		out[i] = it
	}
	return out
}
