package plugin

import (
	"context"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/errors"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
)

// attachable is one kind, other than HTTPRoute, that attaches to a
// Gateway: its name and how to list what of it attaches where.
type attachable struct {
	kind, resource string
	list           func(ctx context.Context, c *Clients, ns string) (map[model.ObjectRef][]string, error)
}

var attachables = []attachable{
	{"GRPCRoute", "grpcroutes.gateway.networking.k8s.io", func(ctx context.Context, c *Clients, ns string) (map[model.ObjectRef][]string, error) {
		l, err := c.Gateway.GRPCRoutes(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return parentsOf("GRPCRoute", l.Items, func(r gwv1.GRPCRoute) (metav1.ObjectMeta, []gwv1.ParentReference) {
			return r.ObjectMeta, r.Spec.ParentRefs
		}), nil
	}},
	{"TLSRoute", "tlsroutes.gateway.networking.k8s.io", func(ctx context.Context, c *Clients, ns string) (map[model.ObjectRef][]string, error) {
		l, err := c.Gateway.TLSRoutes(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return parentsOf("TLSRoute", l.Items, func(r gwv1.TLSRoute) (metav1.ObjectMeta, []gwv1.ParentReference) {
			return r.ObjectMeta, r.Spec.ParentRefs
		}), nil
	}},
	{"TCPRoute", "tcproutes.gateway.networking.k8s.io", func(ctx context.Context, c *Clients, ns string) (map[model.ObjectRef][]string, error) {
		l, err := c.Gateway.TCPRoutes(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return parentsOf("TCPRoute", l.Items, func(r gwv1.TCPRoute) (metav1.ObjectMeta, []gwv1.ParentReference) {
			return r.ObjectMeta, r.Spec.ParentRefs
		}), nil
	}},
	{"UDPRoute", "udproutes.gateway.networking.k8s.io", func(ctx context.Context, c *Clients, ns string) (map[model.ObjectRef][]string, error) {
		l, err := c.Gateway.UDPRoutes(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return parentsOf("UDPRoute", l.Items, func(r gwv1.UDPRoute) (metav1.ObjectMeta, []gwv1.ParentReference) {
			return r.ObjectMeta, r.Spec.ParentRefs
		}), nil
	}},
	{"ListenerSet", "listenersets.gateway.networking.k8s.io", func(ctx context.Context, c *Clients, ns string) (map[model.ObjectRef][]string, error) {
		l, err := c.Gateway.ListenerSets(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return parentsOf("ListenerSet", l.Items, func(s gwv1.ListenerSet) (metav1.ObjectMeta, []gwv1.ParentReference) {
			p := s.Spec.ParentRef
			return s.ObjectMeta, []gwv1.ParentReference{{Group: p.Group, Kind: p.Kind, Namespace: p.Namespace, Name: p.Name}}
		}), nil
	}},
}

// parentsOf is, for each Gateway the items attach to, "Kind namespace/name"
// of each.
func parentsOf[T any](kind string, items []T, refs func(T) (metav1.ObjectMeta, []gwv1.ParentReference)) map[model.ObjectRef][]string {
	out := map[model.ObjectRef][]string{}
	for _, it := range items {
		m, ps := refs(it)
		for _, p := range ps {
			if ref, ok := gwapi.ParentGateway(p, m.Namespace); ok {
				name := kind + " " + m.Namespace + "/" + m.Name
				if !slices.Contains(out[ref], name) {
					out[ref] = append(out[ref], name)
				}
			}
		}
	}
	return out
}

// readAttached reads, in parallel, what of the attachable kinds attaches
// to which Gateway, in every namespace (in ns when that is forbidden).
// A kind the cluster does not serve has nothing attached; unknown is true
// when one could not be read in every namespace.
func readAttached(ctx context.Context, c *Clients, ns string) (attached map[model.ObjectRef][]string, unknown bool, err error) {
	type result struct {
		m       map[model.ObjectRef][]string
		unknown bool
		err     error
	}
	results := make([]result, len(attachables))
	done := make(chan struct{})
	for i, a := range attachables {
		go func() {
			defer func() { done <- struct{}{} }()
			ms, unk, err := listWide(ctx, ns, a.resource, func(ns string) ([]map[model.ObjectRef][]string, error) {
				m, err := a.list(ctx, c, ns)
				return []map[model.ObjectRef][]string{m}, err
			})
			if notServed(err) || apierrors.IsNotFound(err) {
				err = nil // not served: none of it
			}
			if err != nil && apierrors.IsForbidden(err) {
				unk, err = true, nil
			}
			r := result{unknown: unk, err: err}
			if len(ms) > 0 {
				r.m = ms[0]
			}
			results[i] = r
		}()
	}
	for range attachables {
		<-done
	}
	attached = map[model.ObjectRef][]string{}
	var errs []error
	for _, r := range results {
		unknown = unknown || r.unknown
		errs = append(errs, r.err)
		for ref, names := range r.m {
			attached[ref] = append(attached[ref], names...)
		}
	}
	return attached, unknown, errors.NewAggregate(errs)
}
