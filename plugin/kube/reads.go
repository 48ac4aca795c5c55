package kube

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The reads of whole kinds, in one place: each is paged (listChunk items
// a request, as kubectl get pages), and ListWide reads every namespace,
// else the namespace alone when that is forbidden.

// listChunk is the page size of a list, kubectl get's default.
const listChunk = 500

// cachedKey marks a context whose lists may be served from the
// apiserver's watch cache.
type cachedKey struct{}

// Cached is ctx for reads where a view a moment old is safe: the
// apiserver serves their lists from its watch cache (resourceVersion
// "0"), without going to etcd page by page. A plan read so is safe when
// its writes carry preconditions (a stale object fails its update with a
// conflict, and the command reads again, consistently).
func Cached(ctx context.Context) context.Context { return context.WithValue(ctx, cachedKey{}, true) }

// Paged reads every page of a list (Limit, Continue), from the watch
// cache when ctx is Cached.
func Paged[L runtime.Object, T any](ctx context.Context, list func(metav1.ListOptions) (L, error), items func(L) []T) ([]T, error) {
	opts := metav1.ListOptions{Limit: listChunk}
	if cached, _ := ctx.Value(cachedKey{}).(bool); cached {
		opts.ResourceVersion = "0"
	}
	var out []T
	for {
		l, err := list(opts)
		if err != nil {
			return nil, err
		}
		out = append(out, items(l)...)
		m, err := meta.ListAccessor(l)
		if err != nil {
			return nil, err
		}
		if m.GetContinue() == "" {
			return out, nil
		}
		// The token carries the list's resourceVersion.
		opts.Continue, opts.ResourceVersion = m.GetContinue(), ""
	}
}

// ListWide lists every namespace, or ns alone when that is forbidden
// (unknown is then true; with ns "" the refusal is the error).
func ListWide[T any](ctx context.Context, ns, resource string, list func(ns string) ([]T, error)) (items []T, unknown bool, err error) {
	items, err = list(metav1.NamespaceAll)
	if apierrors.IsForbidden(err) && ns != metav1.NamespaceAll {
		unknown = true
		items, err = list(ns)
	}
	if err != nil {
		return nil, unknown, ExplainAPIError(err, "list", resource)
	}
	return items, unknown, nil
}

// pointers are pointers to the items.
func Pointers[T any](items []T) []*T {
	out := make([]*T, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}

// inNamespace splits objects into those of ns and the others.
func InNamespace[T metav1.Object](objs []T, ns string) (of, others []T) {
	for _, o := range objs {
		if o.GetNamespace() == ns {
			of = append(of, o)
		} else {
			others = append(others, o)
		}
	}
	return of, others
}
