package apply

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	istiofake "istio.io/client-go/pkg/clientset/versioned/fake"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// TestUndoWarns: every object the undo cannot restore is named in a warning,
// also when it changed or vanished meanwhile (then it is left alone).
func TestUndoWarns(t *testing.T) {
	istio := istiofake.NewSimpleClientset()
	istio.PrependReactor("update", "virtualservices", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewConflict(schema.GroupResource{Group: "networking.istio.io", Resource: "virtualservices"}, "expose-gw-any", errors.New("the object has been modified"))
	})
	gw := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "expose-gw", Namespace: "default", ResourceVersion: "1"}}
	vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: "expose-gw-any", Namespace: "default", ResourceVersion: "2"}}
	ist := kubelib.Istio(istio)
	st := Stores{}
	AddStore(st, "gateways.networking.istio.io", func(ns string) TypedClient[*networkingv1.Gateway] {
		return ist.NetworkingV1().Gateways(ns)
	})
	AddStore(st, "virtualservices.networking.istio.io", func(ns string) TypedClient[*networkingv1.VirtualService] {
		return ist.NetworkingV1().VirtualServices(ns)
	})
	a := &Applier{stores: st, done: []written{
		{change: route.Change{Op: route.OpCreate, Object: gw}, after: route.Change{Op: route.OpCreate, Object: gw}},
		{change: route.Change{Op: route.OpUpdate, Object: vs, Before: vs}, after: route.Change{Op: route.OpUpdate, Object: vs}},
	}}
	require.NoError(t, a.undo(context.Background()), "lost races are left alone")
	got := a.Warnings()
	assert.Equal(t, []string{
		`could not restore virtualservices.networking.istio.io default/expose-gw-any (configured): cannot update virtualservices.networking.istio.io: it was changed by someone else meanwhile, try again: Operation cannot be fulfilled on virtualservices.networking.istio.io "expose-gw-any": the object has been modified`,
		`could not restore gateways.networking.istio.io default/expose-gw (created): cannot delete gateways.networking.istio.io: gateways.networking.istio.io "expose-gw" not found`,
	}, got)
}
