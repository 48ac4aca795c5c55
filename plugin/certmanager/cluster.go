package certmanager

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apply"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// errNotInstalled is --tls cert-manager on a cluster without cert-manager.
var errNotInstalled = fmt.Errorf("--tls cert-manager: cert-manager is not installed: the cluster serves no %s (install cert-manager, or use --tls self-signed or --tls-secret NAME)", Resource)

// PlanIn reads the Certificate of hosts in ns and plans it (Plan): nothing
// is planned on a cluster without cert-manager's CRDs, only the error.
func PlanIn(ctx context.Context, dyn dynamic.Interface, ns string, hosts []string, iss Issuer) ([]route.Change, error) {
	desired := Certificate(ns, hosts, iss)
	before, err := dyn.Resource(Certificates).Namespace(ns).Get(ctx, desired.GetName(), metav1.GetOptions{})
	switch {
	case kube.IsMissingCRD(err, Resource):
		return nil, errNotInstalled
	case apierrors.IsNotFound(err):
		before = nil
	case err != nil:
		return nil, kube.ExplainAPIError(err, "get", Resource)
	}
	c, err := Plan(before, desired)
	if err != nil {
		return nil, err
	}
	return []route.Change{c}, nil
}

// CheckInstalled says whether cert-manager's Certificates are served (the
// Gateway API way: cert-manager's gateway-shim writes them).
func CheckInstalled(ctx context.Context, dyn dynamic.Interface, ns string) error {
	_, err := dyn.Resource(Certificates).Namespace(ns).List(ctx, metav1.ListOptions{Limit: 1})
	switch {
	case kube.IsMissingCRD(err, Resource):
		return errNotInstalled
	case err != nil:
		return kube.ExplainAPIError(err, "list", Resource)
	}
	return nil
}

// Ready is the Certificate's Ready condition: whether it is True, and its
// reason and message ("" when cert-manager has not said yet).
func Ready(u *unstructured.Unstructured) (bool, string, string) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != "Ready" {
			continue
		}
		reason, _ := m["reason"].(string)
		msg, _ := m["message"].(string)
		return m["status"] == "True", reason, msg
	}
	return false, "", ""
}

// Wait polls Certificate ref until it is Ready or ctx ends (the error then
// says what cert-manager last said). say gets each new state.
func Wait(ctx context.Context, dyn dynamic.Interface, ref route.ObjectRef, say func(string)) error {
	last := ""
	for {
		u, err := dyn.Resource(Certificates).Namespace(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		state := "not written yet"
		switch {
		case err != nil && ctx.Err() != nil && last != "":
			state = last // the deadline cut the read short: what was last seen stands
		case err == nil:
			ready, reason, msg := Ready(u)
			if ready {
				say(fmt.Sprintf("Certificate %s is Ready: cert-manager wrote Secret %s/%s", ref, ref.Namespace, nestedString(u, "spec", "secretName")))
				return nil
			}
			state = "not Ready"
			if reason != "" {
				state += ": " + reason
			}
			if msg != "" {
				state += ": " + msg
			}
		case !apierrors.IsNotFound(err) && ctx.Err() == nil:
			return kube.ExplainAPIError(err, "get", Resource)
		}
		if state != last {
			say(fmt.Sprintf("Certificate %s: %s", ref, state))
			last = state
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("Certificate %s is %s: cert-manager has not issued it (kubectl describe certificate -n %s %s)", ref, state, ref.Namespace, ref.Name)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// AddStore registers the writer of Certificates with the applier.
func AddStore(st apply.Stores, dyn dynamic.Interface) {
	apply.AddStore(st, Resource, func(ns string) apply.TypedClient[*unstructured.Unstructured] {
		return writer{dyn.Resource(Certificates).Namespace(ns)}
	})
}

// writer is a dynamic client as the applier writes with.
type writer struct{ r dynamic.ResourceInterface }

func (w writer) Create(ctx context.Context, u *unstructured.Unstructured, o metav1.CreateOptions) (*unstructured.Unstructured, error) {
	return w.r.Create(ctx, u, o)
}

func (w writer) Update(ctx context.Context, u *unstructured.Unstructured, o metav1.UpdateOptions) (*unstructured.Unstructured, error) {
	return w.r.Update(ctx, u, o)
}

func (w writer) Delete(ctx context.Context, name string, o metav1.DeleteOptions) error {
	return w.r.Delete(ctx, name, o)
}
