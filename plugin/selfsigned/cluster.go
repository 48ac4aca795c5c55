package selfsigned

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// PlanIn reads the CA and the certificate Secret of hosts in ns (where
// the API's gateway reads credentials) and plans them (Plan), filling ca
// (when not nil) with the CA that signs it.
func PlanIn(ctx context.Context, c kube.Kube, ns string, hosts []string, ca *route.CA) ([]route.Change, error) {
	caSecret, err := get(ctx, c, ns, CASecret)
	if err != nil {
		return nil, err
	}
	leaf, err := get(ctx, c, ns, LeafSecret(hosts))
	if err != nil {
		return nil, err
	}
	changes, caPEM, err := Plan(ns, hosts, caSecret, leaf, time.Now())
	if err != nil {
		return nil, err
	}
	if ca != nil {
		// A later round of the transaction plans again and finds the CA
		// written by an earlier one: it was still made by this run.
		*ca = route.CA{PEM: caPEM, Secret: ns + "/" + CASecret, Created: ca.Created || changes[0].Op == route.OpCreate}
	}
	return changes, nil
}

// get reads ns/name, nil when there is none.
func get(ctx context.Context, c kube.Kube, ns, name string) (*corev1.Secret, error) {
	s, err := c.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, kube.ExplainAPIError(err, "get", "secrets")
	}
	return s, nil
}
