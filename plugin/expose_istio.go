package plugin

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// istioExpose is expose with the Istio API: a Gateway selecting the
// ingress gateway's pods and a VirtualService per host.
type istioExpose struct {
	o       *ExposeOptions
	sel     map[string]string // --gateway-selector; nil: find the gateway
	ingress *ingressLookup
	svc     *corev1.Service
	// warned: the gateway look-up's error was told; othersUnknown: other
	// namespaces could not be read.
	warned, othersUnknown bool
}

func newIstioExpose(ctx context.Context, o *ExposeOptions) *istioExpose {
	x := &istioExpose{o: o}
	if o.SelectorGiven {
		x.sel = o.req.Selector
	}
	x.ingress = newIngressLookup(ctx, o.Clients, x.sel)
	return x
}

// prepare starts the ingress look-up (unless a dry run that does not need
// it: needed for the hint or the selector anyway, overlapped with the
// reads) and checks the --tls-secret.
func (x *istioExpose) prepare(ctx context.Context) error {
	if x.o.dryRun == route.DryRunNone || x.sel == nil {
		x.ingress.start()
	}
	return x.o.checkCredential(ctx, x.ingress)
}

// close lets a started look-up end rather than cut its requests short
// (client-go logs those).
func (x *istioExpose) close() {
	if x.o.dryRun == route.DryRunNone || x.sel == nil {
		x.ingress.result()
	}
}

// plan reads the Service (first attempt) and the Gateways and
// VirtualServices, plans, and checks what Istio will do with the objects:
// no route may lose its requests to another (--force writes it anyway and
// says so). The warnings are those of this attempt's plan, each time:
// the command says them once the plan is written, not before a failure.
func (x *istioExpose) plan(ctx context.Context, first bool) ([]route.Change, []string, error) {
	o := x.o
	var st istio.State
	var err error
	if first {
		x.svc, st, err = o.readAll(ctx)
	} else {
		st, err = o.readState(ctx)
	}
	if err != nil {
		return nil, nil, err
	}
	if first && x.sel == nil {
		if x.warned, err = o.useGateway(x.ingress); err != nil {
			return nil, nil, err
		}
	}
	req := o.req
	if req.Target.Port, err = route.ResolvePort(x.svc, o.port); err != nil {
		return nil, nil, err
	}
	var portsWarning []string
	changes, err := istio.PlanExpose(&req, st)
	if errors.Is(err, istio.ErrNeedPorts) {
		in, ierr := x.ingress.get()
		if ierr != nil && !x.warned {
			portsWarning = []string{fmt.Sprintf("%v; the Gateway listens on the default ports 80/443", ierr)}
		}
		req.HTTPPort, req.HTTPSPort = ingressPorts(in)
		changes, err = istio.PlanExpose(&req, st)
	}
	if err != nil {
		return nil, nil, err
	}
	warnings, err := istio.CheckReach(st, changes, o.req.Force)
	if err != nil {
		return nil, nil, err
	}
	x.othersUnknown = st.OthersUnknown
	warnings = append(portsWarning, warnings...)
	return changes, append(warnings, istio.GatewayClashes(changes, st)...), nil
}

func (x *istioExpose) caveats() []string {
	if x.othersUnknown {
		return []string{"cannot list Gateways or VirtualServices in all namespaces (forbidden): routes of other namespaces that Istio merges into the same virtual hosts were not checked"}
	}
	return nil
}

// done says how to reach the routes.
func (x *istioExpose) done(ctx context.Context, result []route.Change) error {
	x.o.printReach(ctx, x.ingress, result)
	return nil
}
