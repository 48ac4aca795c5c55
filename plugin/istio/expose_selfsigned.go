package istio

import (
	"context"
	"fmt"

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
	return selfsigned.PlanIn(ctx, x.c.Kube, workloadNamespace(in), x.in.Req.Hosts, x.in.CA)
}
