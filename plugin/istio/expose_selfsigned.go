package istio

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/selfsigned"
)

// planCertificate is --tls self-signed with the Istio API: the tool's CA
// and the certificate for the hosts, as Secrets in the namespace of the
// gateway's pods, where Istio reads a credentialName (the Gateway's
// server names the certificate's Secret, Req.TLSSecret).
func (x *istioExpose) planCertificate(ctx context.Context) ([]route.Change, error) {
	in, err := x.ingress.get()
	if err != nil {
		return nil, fmt.Errorf("--tls self-signed: the certificate goes where the gateway's pods run: %w", err)
	}
	ns := workloadNamespace(in)
	ca, err := getSecret(ctx, x.c.Kube, ns, selfsigned.CASecret)
	if err != nil {
		return nil, err
	}
	leaf, err := getSecret(ctx, x.c.Kube, ns, x.in.Req.TLSSecret)
	if err != nil {
		return nil, err
	}
	changes, caPEM, err := selfsigned.Plan(ns, x.in.Req.Hosts, ca, leaf, time.Now())
	if err != nil {
		return nil, err
	}
	if x.in.CA != nil {
		*x.in.CA = route.CA{PEM: caPEM, Secret: ns + "/" + selfsigned.CASecret, Created: changes[0].Op == route.OpCreate}
	}
	return changes, nil
}

// getSecret reads ns/name, nil when there is none.
func getSecret(ctx context.Context, c kube.Kube, ns, name string) (*corev1.Secret, error) {
	s, err := c.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, kube.ExplainAPIError(err, "get", "secrets")
	}
	return s, nil
}
