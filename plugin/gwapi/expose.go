package gwapi

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/certmanager"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/selfsigned"
)

// gatewayExpose is expose with the Kubernetes Gateway API: a Gateway of
// class istio and an HTTPRoute per host (package gwapi).
type gatewayExpose struct {
	in  *route.ExposeInput
	c   *kube.Clients
	svc *corev1.Service
	// told: the chosen Gateway was said; othersUnknown: other namespaces
	// could not be read.
	told, othersUnknown bool
}

func (x *gatewayExpose) Prepare(context.Context) error { return nil }
func (x *gatewayExpose) Close()                        {}

// Plan reads the Service (first attempt) and the Gateway API objects,
// plans, and checks the --tls-secret in the chosen Gateway's namespace
// (where Istio reads a listener's certificateRefs).
func (x *gatewayExpose) Plan(ctx context.Context, first bool) ([]route.Change, []string, error) {
	if first {
		svc, err := kube.GetService(ctx, x.c.Kube, x.in.Req.Target.Namespace, x.in.Req.Target.Service, x.in.Suggestions)
		if err != nil {
			return nil, nil, err
		}
		x.svc = svc
	}
	st, othersUnknown, err := readGatewayState(ctx, x.c, x.in.Req.Target.Namespace, x.in.Req.Gateway)
	if err != nil {
		return nil, nil, err
	}
	req := x.in.Req
	if req.Target.Port, err = route.ResolvePort(x.svc, x.in.Port); err != nil {
		return nil, nil, err
	}
	p, err := PlanExpose(&req, st)
	if err != nil {
		return nil, nil, err
	}
	g := p.Changes[0].Object.(*gwv1.Gateway)
	if req.TLSSecret != "" && !req.TLSCertManager {
		if err := refuseIssuerAnnotation(p.Changes[0], req.TLSSecret); err != nil {
			return nil, nil, err
		}
	}
	if req.TLSSelfSigned {
		// The certificate goes in the Gateway's namespace, where Istio
		// reads a listener's certificateRefs; after the Gateway.
		certs, err := selfsigned.PlanIn(ctx, x.c.Kube, g.Namespace, req.Hosts, x.in.CA)
		if err != nil {
			return nil, nil, err
		}
		p.Changes = append(p.Changes, certs...)
	} else if req.TLSCertManager {
		// cert-manager's gateway-shim writes the Certificate of each
		// HTTPS listener of the annotated Gateway, in its namespace.
		if err := certmanager.CheckInstalled(ctx, x.c.Dynamic, g.Namespace); err != nil {
			return nil, nil, err
		}
		if p.Changes[0], err = annotateIssuer(p.Changes[0], certmanager.Issuer{Kind: req.IssuerKind, Name: req.IssuerName}, req.Force); err != nil {
			return nil, nil, err
		}
		x.in.Certificate = &route.ObjectRef{Namespace: g.Namespace, Name: req.TLSSecret}
	} else if first {
		if err := x.checkSecret(ctx, g.Namespace); err != nil {
			return nil, nil, err
		}
	}
	x.othersUnknown = othersUnknown
	if !x.told && p.Note != "" {
		x.told = true
		x.in.Notes.Say(p.Note)
	}
	return p.Changes, p.Warnings, nil
}

func (x *gatewayExpose) Caveats() []string {
	if x.othersUnknown {
		return []string{"cannot list Gateways or HTTPRoutes in all namespaces (forbidden): older routes of other namespaces with the same match were not checked"}
	}
	return nil
}

// checkSecret makes sure the --tls-secret exists in the Gateway's
// namespace and holds a certificate Istio can serve (verifyTLSSecret).
func (x *gatewayExpose) checkSecret(ctx context.Context, ns string) error {
	name := x.in.Req.TLSSecret
	if name == "" {
		return nil
	}
	missing := fmt.Errorf("invalid --tls-secret %q: expected a TLS Secret in namespace %s, the Gateway's, where Istio reads a listener's certificateRefs (create it with kubectl create secret tls %s -n %s --cert=FILE --key=FILE)", name, ns, name, ns)
	warnings, err := kube.VerifyTLSSecret(ctx, x.c.Kube, ns, name, missing, x.in.DryRun == route.DryRunClient)
	x.in.Notes.Warn(warnings...)
	return err
}

// Done waits for Istio's verdict on the routes (--wait) and says how to
// reach them.
func (x *gatewayExpose) Done(ctx context.Context, result []route.Change) error {
	if err := waitAccepted(ctx, x.c, result, x.in.Wait, x.in.ErrOut); err != nil {
		return err
	}
	x.printReach(ctx, result)
	return nil
}
