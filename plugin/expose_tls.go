package plugin

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// workloadNamespace is where the gateway's pods run: Istio reads a
// Gateway's credentialName from there (IST0161), not from the Gateway's
// namespace.
func workloadNamespace(in *resolve.Ingress) string {
	for _, p := range in.Pods {
		return p.Namespace
	}
	return in.Service.Namespace
}

// checkCredential makes sure the --tls-secret exists where Istio reads it.
// Missing, it is an error (a warning for --dry-run=client); when the
// gateway or the Secret cannot be looked up, a warning.
func (o *ExposeOptions) checkCredential(ctx context.Context, lookup *ingressLookup) error {
	name := o.req.TLSSecret
	if name == "" {
		return nil
	}
	in, err := lookup.get()
	if err != nil || in == nil || in.Service == nil {
		return nil // the gateway look-up's own error or warning tells
	}
	ns := workloadNamespace(in)
	_, err = o.Clients.Kube.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		return nil
	case apierrors.IsNotFound(err):
		msg := fmt.Errorf("invalid --tls-secret %q: expected a TLS Secret in namespace %s, where the gateway's pods run and Istio reads credentials (create it with kubectl create secret tls %s -n %s --cert=FILE --key=FILE)", name, ns, name, ns)
		if o.dryRun == dryRunClient {
			fmt.Fprintln(o.ErrOut, "warning:", msg)
			return nil
		}
		return msg
	default:
		fmt.Fprintf(o.ErrOut, "warning: cannot check --tls-secret %q in namespace %s: %v\n", name, ns, ExplainAPIError(err, "get", "secrets"))
		return nil
	}
}
