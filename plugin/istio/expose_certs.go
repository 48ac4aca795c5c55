package istio

import (
	"context"
	"fmt"

	"github.com/expose-gw/kubectl-expose-gw/plugin/certmanager"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/selfsigned"
)

// planCertificate is --tls self-signed or cert-manager with the Istio
// API, in the namespace of the gateway's pods, where Istio reads a
// credentialName (the Gateway's server names the certificate's Secret,
// Req.TLSSecret): the tool's CA and the certificate for the hosts, as
// Secrets; or the cert-manager Certificate whose Secret it is.
func (x *istioExpose) planCertificate(ctx context.Context) ([]route.Change, error) {
	req := x.in.Req
	in, err := x.ingress.get()
	if err != nil {
		mode := "self-signed"
		if req.TLSCertManager {
			mode = "cert-manager"
		}
		return nil, fmt.Errorf("--tls %s: the certificate goes where the gateway's pods run: %w", mode, err)
	}
	ns := workloadNamespace(in)
	if req.TLSCertManager {
		x.in.Certificate = &route.ObjectRef{Namespace: ns, Name: req.TLSSecret}
		return certmanager.PlanIn(ctx, x.c.Dynamic, ns, req.Hosts, certmanager.Issuer{Kind: req.IssuerKind, Name: req.IssuerName})
	}
	return selfsigned.PlanIn(ctx, x.c.Kube, ns, req.Hosts, x.in.CA)
}
