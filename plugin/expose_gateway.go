package plugin

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// gatewayExpose is expose with the Kubernetes Gateway API: a Gateway of
// class istio and an HTTPRoute per host (package gwapi).
type gatewayExpose struct {
	o   *ExposeOptions
	svc *corev1.Service
	// told: the chosen Gateway was said; othersUnknown: other namespaces
	// could not be read.
	told, othersUnknown bool
}

func (x *gatewayExpose) prepare(context.Context) error { return nil }
func (x *gatewayExpose) close()                        {}

// plan reads the Service (first attempt) and the Gateway API objects,
// plans, and checks the --tls-secret in the chosen Gateway's namespace
// (where Istio reads a listener's certificateRefs).
func (x *gatewayExpose) plan(ctx context.Context, first bool) ([]route.Change, []string, error) {
	o := x.o
	if first {
		svc, err := kube.GetService(ctx, o.Clients.Kube, o.req.Target.Namespace, o.req.Target.Service, o.suggestions)
		if err != nil {
			return nil, nil, err
		}
		x.svc = svc
	}
	st, othersUnknown, err := readGatewayState(ctx, o.Clients, o.req.Target.Namespace, o.req.Gateway)
	if err != nil {
		return nil, nil, err
	}
	req := o.req
	if req.Target.Port, err = route.ResolvePort(x.svc, o.port); err != nil {
		return nil, nil, err
	}
	p, err := gwapi.PlanExpose(&req, st)
	if err != nil {
		return nil, nil, err
	}
	g := p.Changes[0].Object.(*gwv1.Gateway)
	if first {
		if err := x.checkSecret(ctx, g.Namespace); err != nil {
			return nil, nil, err
		}
	}
	x.othersUnknown = othersUnknown
	if !x.told && p.Note != "" {
		x.told = true
		fmt.Fprintln(&o.notes, p.Note)
	}
	return p.Changes, p.Warnings, nil
}

func (x *gatewayExpose) caveats() []string {
	if x.othersUnknown {
		return []string{"cannot list Gateways or HTTPRoutes in all namespaces (forbidden): older routes of other namespaces with the same match were not checked"}
	}
	return nil
}

// checkSecret makes sure the --tls-secret exists in the Gateway's
// namespace and holds a certificate Istio can serve (verifyTLSSecret).
func (x *gatewayExpose) checkSecret(ctx context.Context, ns string) error {
	name := x.o.req.TLSSecret
	if name == "" {
		return nil
	}
	missing := fmt.Errorf("invalid --tls-secret %q: expected a TLS Secret in namespace %s, the Gateway's, where Istio reads a listener's certificateRefs (create it with kubectl create secret tls %s -n %s --cert=FILE --key=FILE)", name, ns, name, ns)
	warnings, err := kube.VerifyTLSSecret(ctx, x.o.Clients.Kube, ns, name, missing, x.o.dryRun == route.DryRunClient)
	cli.Warn(&x.o.notes, warnings...)
	return err
}

// done waits for Istio's verdict on the routes (--wait) and says how to
// reach them.
func (x *gatewayExpose) done(ctx context.Context, result []route.Change) error {
	if err := waitAccepted(ctx, x.o.Clients, result, x.o.Wait, x.o.ErrOut); err != nil {
		return err
	}
	x.o.printGatewayReach(ctx, result)
	return nil
}
