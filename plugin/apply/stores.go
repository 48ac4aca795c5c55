package apply

import (
	"context"
	"fmt"
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// store writes the objects of one kind: the applier knows nothing else of
// an API. A second API adds its kinds to newStores.
type store struct {
	resource string
	create   func(context.Context, route.Object, metav1.CreateOptions) (route.Object, error)
	update   func(context.Context, route.Object, metav1.UpdateOptions) (route.Object, error)
	delete   func(ctx context.Context, ns, name string, o metav1.DeleteOptions) error
}

// Stores are the stores by the Go type of their objects.
type Stores map[reflect.Type]store

// of is the store of o's kind.
func (s Stores) of(o route.Object) (store, error) {
	st, ok := s[reflect.TypeOf(o)]
	if !ok {
		return store{}, fmt.Errorf("no writer for objects of type %T", o)
	}
	return st, nil
}

// TypedClient is what a generated typed client of T offers for writing.
type TypedClient[T route.Object] interface {
	Create(context.Context, T, metav1.CreateOptions) (T, error)
	Update(context.Context, T, metav1.UpdateOptions) (T, error)
	Delete(context.Context, string, metav1.DeleteOptions) error
}

// AddStore registers the typed client of T under T's Go type.
func AddStore[T route.Object](s Stores, resource string, client func(ns string) TypedClient[T]) {
	var zero T
	s[reflect.TypeOf(zero)] = store{
		resource: resource,
		create: func(ctx context.Context, o route.Object, opts metav1.CreateOptions) (route.Object, error) {
			out, err := client(o.GetNamespace()).Create(ctx, o.(T), opts)
			return objectOrNil(out, err)
		},
		update: func(ctx context.Context, o route.Object, opts metav1.UpdateOptions) (route.Object, error) {
			out, err := client(o.GetNamespace()).Update(ctx, o.(T), opts)
			return objectOrNil(out, err)
		},
		delete: func(ctx context.Context, ns, name string, opts metav1.DeleteOptions) error {
			return client(ns).Delete(ctx, name, opts)
		},
	}
}

// objectOrNil keeps a failed write's result a nil interface (not a typed nil).
func objectOrNil[T route.Object](o T, err error) (route.Object, error) {
	if err != nil {
		return nil, err
	}
	return o, nil
}
