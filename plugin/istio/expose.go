package istio

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// istioExpose is expose with the Istio API: a Gateway selecting the
// ingress gateway's pods and a VirtualService per host.
type istioExpose struct {
	in      *route.ExposeInput
	c       *kube.Clients
	sel     map[string]string // --gateway-selector; nil: find the gateway
	ingress *ingressLookup
	svc     *corev1.Service
	// warned: the gateway look-up's error was told; othersUnknown: other
	// namespaces could not be read.
	warned, othersUnknown bool
	// besideSaid: the note of a Gateway of the hosts' own was said.
	besideSaid bool
}

// Exposer is the Istio API's side of expose. Without --gateway-selector
// it finds the gateway with the look-up --api auto used.
func (a *API) Exposer(in *route.ExposeInput) route.Exposer {
	x := &istioExpose{in: in, c: a.c, ingress: a.ingress}
	if in.SelectorGiven {
		x.sel = in.Req.Selector
		x.ingress = newIngressLookup(a.ctx, a.c, x.sel)
	}
	return x
}

// Prepare starts the ingress look-up (unless a dry run that does not need
// it: needed for the hint or the selector anyway, overlapped with the
// reads) and checks the --tls-secret.
func (x *istioExpose) Prepare(ctx context.Context) error {
	if x.in.DryRun == route.DryRunNone || x.sel == nil {
		x.ingress.start()
	}
	if x.in.Req.TLSSelfSigned || x.in.Req.TLSCertManager {
		return nil // the tool (planCertificate) or cert-manager makes the Secret
	}
	return x.checkCredential(ctx, x.ingress)
}

// Close lets a started look-up end rather than cut its requests short
// (client-go logs those).
func (x *istioExpose) Close() {
	if x.in.DryRun == route.DryRunNone || x.sel == nil {
		x.ingress.result()
	}
}

// Plan reads the Service (first attempt) and the Gateways and
// VirtualServices, plans, and checks what Istio will do with the objects:
// no route may lose its requests to another (--force writes it anyway and
// says so). The warnings are those of this attempt's plan, each time:
// the command says them once the plan is written, not before a failure.
func (x *istioExpose) Plan(ctx context.Context, first bool) ([]route.Change, []string, error) {
	var st State
	var err error
	if first {
		x.svc, st, err = x.readAll(ctx)
	} else {
		st, err = x.readState(ctx)
	}
	if err != nil {
		return nil, nil, err
	}
	if first && x.sel == nil {
		if x.warned, err = x.useGateway(x.ingress); err != nil {
			return nil, nil, err
		}
	}
	req := x.in.Req
	if req.Target.Port, err = route.ResolvePort(x.svc, x.in.Port); err != nil {
		return nil, nil, err
	}
	changes, portsWarning, err := x.plan(&req, st)
	if err != nil {
		return nil, nil, err
	}
	warnings, err := CheckReach(st, changes, x.in.Req.Force)
	if gw, by, ok := besideCatchAll(&req, st, err); ok {
		req.Gateway = &gw
		if changes, portsWarning, err = x.plan(&req, st); err != nil {
			return nil, nil, err
		}
		warnings, err = CheckReach(st, changes, x.in.Req.Force)
		if err == nil && !x.besideSaid {
			x.besideSaid = true
			x.in.Notes.Say(besideNote(&req, gw, by))
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if x.in.Req.TLSSelfSigned || x.in.Req.TLSCertManager {
		certs, err := x.planCertificate(ctx)
		if err != nil {
			return nil, nil, err
		}
		changes = append(changes, certs...) // after the Gateway: Done reads it first
	}
	x.othersUnknown = st.OthersUnknown
	warnings = append(portsWarning, warnings...)
	return changes, append(warnings, GatewayClashes(changes, st)...), nil
}

// plan is PlanExpose, asking for the ingress gateway's ports when a
// server has to be written (a warning when they cannot be found).
func (x *istioExpose) plan(req *route.Expose, st State) ([]route.Change, []string, error) {
	var portsWarning []string
	changes, err := PlanExpose(req, st)
	if errors.Is(err, ErrNeedPorts) {
		in, ierr := x.ingress.get()
		if ierr != nil && !x.warned {
			portsWarning = []string{fmt.Sprintf("%v; the Gateway listens on the default ports 80/443", ierr)}
		}
		req.HTTPPort, req.HTTPSPort = ingressPorts(in)
		changes, err = PlanExpose(req, st)
	}
	return changes, portsWarning, err
}

func (x *istioExpose) Caveats() []string {
	if x.othersUnknown {
		return []string{"cannot list Gateways or VirtualServices in all namespaces (forbidden): routes of other namespaces that Istio merges into the same virtual hosts were not checked"}
	}
	return nil
}

// Done says how to reach the routes.
func (x *istioExpose) Done(ctx context.Context, result []route.Change) error {
	x.printReach(ctx, x.ingress, result)
	return nil
}
