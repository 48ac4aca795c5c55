package route

import (
	"reflect"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Object is an object the tool writes: a typed object of an API it
// speaks (the Istio API's Gateway and VirtualService, the Gateway API's
// Gateway and HTTPRoute).
type Object interface {
	metav1.Object
	runtime.Object
}

// Op is what a Change does to its object.
type Op string

// Ops, named as kubectl reports them.
const (
	OpCreate    Op = "created"
	OpUpdate    Op = "configured"
	OpDelete    Op = "deleted"
	OpUnchanged Op = "unchanged"
)

// Change is one object of a plan, whatever its API: the desired state
// (for OpDelete the object deleted, for OpUnchanged the object as it is)
// and what it was (Before, nil when created). Applying, undoing and
// printing changes need nothing else.
type Change struct {
	Op     Op
	Object Object
	Before Object
}

// Writes is whether the change writes to the cluster.
func (c Change) Writes() bool { return c.Op != OpUnchanged }

// Ref names the change's object.
func (c Change) Ref() ObjectRef {
	return ObjectRef{Namespace: c.Object.GetNamespace(), Name: c.Object.GetName()}
}

// ChangeOf builds a Change, keeping Before nil (not a typed nil) when the
// object is created.
func ChangeOf[T Object](op Op, obj, before T) Change {
	c := Change{Op: op, Object: obj}
	if !isNil(before) {
		c.Before = before
	}
	return c
}

func isNil[T Object](o T) bool {
	var zero T
	return any(o) == any(zero)
}

// IsGateway is whether o is a Gateway, of either API (both name their
// type Gateway).
func IsGateway(o Object) bool { return reflect.TypeOf(o).Elem().Name() == "Gateway" }

// WritesRoute is whether c writes a route object (anything but a
// Gateway).
func (c Change) WritesRoute() bool { return c.Writes() && !IsGateway(c.Object) }

// WritesGateway is whether c writes a Gateway, of either API.
func (c Change) WritesGateway() bool { return c.Writes() && IsGateway(c.Object) }

// GatewayChangesOnly keeps the changes to Gateways, of either API.
func GatewayChangesOnly(changes []Change) []Change {
	var out []Change
	for _, c := range changes {
		if IsGateway(c.Object) {
			out = append(out, c)
		}
	}
	return out
}

// MergeResults is the applied changes of an earlier round (or attempt)
// updated with those of a later one: an object new to it is added, an
// object it has takes the later change when that one writes.
func MergeResults(earlier, later []Change) []Change {
	out := slices.Clone(earlier)
	for _, c := range later {
		i := slices.IndexFunc(out, func(e Change) bool {
			return reflect.TypeOf(e.Object) == reflect.TypeOf(c.Object) && e.Ref() == c.Ref()
		})
		switch {
		case i < 0:
			out = append(out, c)
		case c.Writes():
			out[i] = c
		}
	}
	return out
}

// Recreatable is o as it can be created again: its name, namespace,
// labels and annotations, without what the server set.
func Recreatable(o Object) Object {
	out := o.DeepCopyObject().(Object)
	out.SetResourceVersion("")
	out.SetUID("")
	out.SetCreationTimestamp(metav1.Time{})
	out.SetGeneration(0)
	out.SetManagedFields(nil)
	out.SetSelfLink("")
	out.SetDeletionTimestamp(nil)
	out.SetDeletionGracePeriodSeconds(nil)
	out.SetOwnerReferences(nil)
	out.SetFinalizers(nil)
	return out
}

// CompareRefs orders object references by namespace/name.
func CompareRefs(a, b ObjectRef) int { return strings.Compare(a.String(), b.String()) }
