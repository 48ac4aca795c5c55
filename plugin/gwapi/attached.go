package gwapi

import (
	"context"
	"slices"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/errors"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// attachable is a kind other than HTTPRoute that attaches to a Gateway,
// and how to list it.
type attachable struct {
	kind, resource string
	list           func(ctx context.Context, c *kube.Clients, ns string) (runtime.Object, error)
}

var (
	listOpts    = metav1.ListOptions{}
	attachables = []attachable{
		{"GRPCRoute", "grpcroutes.gateway.networking.k8s.io", func(ctx context.Context, c *kube.Clients, ns string) (runtime.Object, error) {
			return c.Gateway.GRPCRoutes(ns).List(ctx, listOpts)
		}},
		{"TLSRoute", "tlsroutes.gateway.networking.k8s.io", func(ctx context.Context, c *kube.Clients, ns string) (runtime.Object, error) {
			return c.Gateway.TLSRoutes(ns).List(ctx, listOpts)
		}},
		{"TCPRoute", "tcproutes.gateway.networking.k8s.io", func(ctx context.Context, c *kube.Clients, ns string) (runtime.Object, error) {
			return c.Gateway.TCPRoutes(ns).List(ctx, listOpts)
		}},
		{"UDPRoute", "udproutes.gateway.networking.k8s.io", func(ctx context.Context, c *kube.Clients, ns string) (runtime.Object, error) {
			return c.Gateway.UDPRoutes(ns).List(ctx, listOpts)
		}},
		{"ListenerSet", "listenersets.gateway.networking.k8s.io", func(ctx context.Context, c *kube.Clients, ns string) (runtime.Object, error) {
			return c.Gateway.ListenerSets(ns).List(ctx, listOpts)
		}},
	}
)

// parentRefs are the Gateways an object of an attachable kind names.
func parentRefs(o runtime.Object) []gwv1.ParentReference {
	switch r := o.(type) {
	case *gwv1.GRPCRoute:
		return r.Spec.ParentRefs
	case *gwv1.TLSRoute:
		return r.Spec.ParentRefs
	case *gwv1.TCPRoute:
		return r.Spec.ParentRefs
	case *gwv1.UDPRoute:
		return r.Spec.ParentRefs
	case *gwv1.ListenerSet:
		p := r.Spec.ParentRef
		return []gwv1.ParentReference{{Group: p.Group, Kind: p.Kind, Namespace: p.Namespace, Name: p.Name}}
	}
	return nil
}

// attachedIn adds to out, for each Gateway the items of list attach to,
// "Kind namespace/name" of each.
func attachedIn(kind string, list runtime.Object, out map[route.ObjectRef][]string) error {
	items, err := meta.ExtractList(list)
	if err != nil {
		return err
	}
	for _, it := range items {
		m, err := meta.Accessor(it)
		if err != nil {
			return err
		}
		name := kind + " " + m.GetNamespace() + "/" + m.GetName()
		for _, p := range parentRefs(it) {
			if ref, ok := ParentGateway(p, m.GetNamespace()); ok && !slices.Contains(out[ref], name) {
				out[ref] = append(out[ref], name)
			}
		}
	}
	return nil
}

// readAttached reads, in parallel, what of the attachable kinds attaches
// to which Gateway, in every namespace (in ns when that is forbidden).
// unknown is true when a kind could not be read in every namespace, or
// is not served at v1.
func readAttached(ctx context.Context, c *kube.Clients, ns string) (map[route.ObjectRef][]string, bool, error) {
	lists := make([]runtime.Object, len(attachables))
	unknowns := make([]bool, len(attachables))
	errs := make([]error, len(attachables))
	var wg sync.WaitGroup
	for i, a := range attachables {
		wg.Go(func() {
			l, unknown, err := kube.ListWide(ctx, ns, a.resource, func(ns string) ([]runtime.Object, error) {
				l, err := a.list(ctx, c, ns)
				return []runtime.Object{l}, err
			})
			switch {
			case kube.NotServed(err) || apierrors.IsNotFound(err) || apierrors.IsForbidden(err):
				// Not served at v1 (an older Gateway API may serve it at
				// another version) or not readable: not known.
				unknowns[i] = true
			case err != nil:
				errs[i] = err
			default:
				lists[i], unknowns[i] = l[0], unknown
			}
		})
	}
	wg.Wait()
	attached := map[route.ObjectRef][]string{}
	unknown := slices.Contains(unknowns, true)
	for i, l := range lists {
		if l != nil {
			errs = append(errs, attachedIn(attachables[i].kind, l, attached))
		}
	}
	return attached, unknown, errors.NewAggregate(errs)
}
