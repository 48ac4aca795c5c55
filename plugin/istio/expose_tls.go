package istio

import (
	"context"
	"fmt"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
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

// checkCredential makes sure the --tls-secret exists where Istio reads it
// and holds a certificate Istio can serve (verifyTLSSecret). When the
// gateway cannot be looked up, its own error or warning tells.
func (x *istioExpose) checkCredential(ctx context.Context, lookup *ingressLookup) error {
	name := x.in.Req.TLSSecret
	if name == "" {
		return nil
	}
	in, err := lookup.get()
	if err != nil || in == nil || in.Service == nil {
		return nil // the gateway look-up's own error or warning tells
	}
	ns := workloadNamespace(in)
	missing := fmt.Errorf("invalid --tls-secret %q: expected a TLS Secret in namespace %s, where the gateway's pods run and Istio reads credentials (create it with kubectl create secret tls %s -n %s --cert=FILE --key=FILE)", name, ns, name, ns)
	warnings, err := kube.VerifyTLSSecret(ctx, x.c.Kube, ns, name, missing, x.in.DryRun == route.DryRunClient)
	x.in.Notes.Warn(warnings...)
	return err
}
