package plugin

import (
	"context"
	"errors"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// Run reads what it needs (the Service, the Gateways and VirtualServices of
// the namespace and, unless a dry run, the ingress gateway: all in
// parallel; a dry run looks the gateway up only when a Gateway server must
// be written, or when no --gateway-selector says which gateway to use),
// plans, applies all or nothing with retries on lost races, and prints the
// result and how to reach it.
func (o *ExposeOptions) Run(ctx context.Context) error {
	if err := o.connect(); err != nil {
		return err
	}
	a := &applier{stores: newStores(o.Clients.Istio), mode: o.dryRun, errOut: o.ErrOut}
	var (
		svc    *corev1.Service
		result []model.Change
		warned bool
		// clashWarned: Gateways of other namespaces were checked once.
		clashWarned bool
		// othersUnknown: other namespaces could not be read (said once it worked).
		othersUnknown bool
	)
	var sel map[string]string // nil: find the gateway (resolve.FindGateway)
	if o.SelectorGiven {
		sel = o.req.Selector
	}
	ingress := newIngressLookup(ctx, o.Clients, sel)
	if o.dryRun == dryRunNone || sel == nil {
		ingress.start() // needed for the hint or the selector anyway: overlap it with the reads
		// An error returns before the lookup is needed: let it end rather
		// than cut its requests short (client-go logs those).
		defer ingress.result()
	}
	if err := o.checkCredential(ctx, ingress); err != nil {
		return err
	}
	err := a.transact(ctx, func(first bool) error {
		var st model.State
		var err error
		if first {
			svc, st, err = o.readAll(ctx)
		} else {
			st, err = o.readState(ctx)
		}
		if err != nil {
			return err
		}
		if first && sel == nil {
			if warned, err = o.useGateway(ingress); err != nil {
				return err
			}
		}
		req := o.req
		if req.Target.Port, err = model.ResolvePort(svc, o.port); err != nil {
			return err
		}
		changes, err := model.PlanExpose(&req, st)
		if errors.Is(err, model.ErrNeedPorts) {
			in, ierr := ingress.get()
			if ierr != nil && !warned {
				fmt.Fprintf(o.ErrOut, "warning: %v; the Gateway listens on the default ports 80/443\n", ierr)
				warned = true
			}
			req.HTTPPort, req.HTTPSPort = ingressPorts(in)
			changes, err = model.PlanExpose(&req, st)
		}
		if err != nil {
			return err
		}
		// What Istio will do with the objects: no route may lose its
		// requests to another (--force writes it anyway and says so).
		shadowed, err := model.CheckReach(st, changes, o.req.Force)
		if err != nil {
			return err
		}
		for _, w := range shadowed {
			fmt.Fprintln(o.ErrOut, "warning:", w)
		}
		othersUnknown = st.OthersUnknown
		if !clashWarned {
			for _, w := range model.GatewayClashes(changes, st) {
				fmt.Fprintln(o.ErrOut, "warning:", w)
			}
			clashWarned = true
		}
		result, err = a.apply(ctx, changes)
		return err
	})
	if err != nil {
		return err
	}
	if othersUnknown {
		fmt.Fprintln(o.ErrOut, "warning: cannot list Gateways or VirtualServices in all namespaces (forbidden): routes of other namespaces that Istio merges into the same virtual hosts were not checked")
	}
	if err := printChanges(o.PrintFlags, o.Out, result, o.dryRun); err != nil {
		return err
	}
	if o.dryRun == dryRunNone {
		o.printReach(ctx, ingress, result)
	}
	return nil
}

// useGateway sets the request's selector to the gateway found when no
// --gateway-selector was given, and says which on stderr when it is not
// the default. Several ingress gateways, or none, are errors (none is a
// warning for --dry-run=client, which prints the default selector's
// Gateway). Failing to look (e.g. forbidden) keeps the default selector:
// warned is then false and the ports look-up warns. warned is true when
// the error was already told.
func (o *ExposeOptions) useGateway(l *ingressLookup) (warned bool, err error) {
	g, in, err := l.result()
	var none *resolve.NoGatewayError
	var several *resolve.SeveralGatewaysError
	switch {
	case errors.As(err, &none) && o.dryRun == dryRunClient:
		fmt.Fprintf(o.ErrOut, "warning: %v; the Gateway printed selects %s and listens on the default ports 80/443\n",
			err, model.FormatSelector(o.req.Selector))
		return true, nil
	case errors.As(err, &none), errors.As(err, &several):
		return false, err
	case g == nil:
		return false, nil
	}
	o.req.Selector = g.Selector
	if g.Warning != "" {
		fmt.Fprintln(o.ErrOut, "warning:", g.Warning)
	}
	if g.Discovered {
		var svc *corev1.Service
		if in != nil {
			svc = in.Service
		}
		fmt.Fprintln(o.ErrOut, g.Found(svc))
	}
	return false, nil
}

// ingressLookup finds the ingress gateway once, in the background: its
// pods and selector (resolve.FindGateway), then its Service.
type ingressLookup struct {
	once sync.Once
	find func() (*resolve.Gateway, *resolve.Ingress, error)
	done chan struct{}
	gw   *resolve.Gateway
	in   *resolve.Ingress
	err  error
}

// newIngressLookup looks for the gateway of sel; nil means none was given.
func newIngressLookup(ctx context.Context, c *Clients, sel map[string]string) *ingressLookup {
	return &ingressLookup{done: make(chan struct{}), find: func() (*resolve.Gateway, *resolve.Ingress, error) {
		g, err := resolve.FindGateway(ctx, c.Kube, resolve.Options{Selector: sel})
		if err != nil {
			return nil, nil, err
		}
		in, err := g.Ingress(ctx, c.Kube)
		return g, in, err
	}}
}

func (l *ingressLookup) start() {
	l.once.Do(func() {
		go func() {
			l.gw, l.in, l.err = l.find()
			close(l.done)
		}()
	})
}

// result is the gateway (nil when its pods could not be looked up), its
// Service (nil on error) and the first error met.
func (l *ingressLookup) result() (*resolve.Gateway, *resolve.Ingress, error) {
	l.start()
	<-l.done
	return l.gw, l.in, l.err
}

func (l *ingressLookup) get() (*resolve.Ingress, error) {
	_, in, err := l.result()
	return in, err
}

// ingressPorts are the gateway Service's http2/http and https ports, 80 and
// 443 when there is none.
func ingressPorts(in *resolve.Ingress) (http, https uint32) {
	http, https = 80, 443
	if in == nil {
		return
	}
	if p, ok := in.Port(resolve.RoleHTTP); ok {
		http = uint32(p.Port)
	}
	if p, ok := in.Port(resolve.RoleHTTPS); ok {
		https = uint32(p.Port)
	}
	return
}
