package plugin

import (
	"context"
	"errors"
	"fmt"
	"sync"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// Run reads what it needs (the Service, the Gateways and VirtualServices of
// the namespace and, unless a dry run, the ingress gateway: all in
// parallel; a dry run looks the gateway up only when a Gateway server must
// be written), plans, applies all or nothing with retries on lost races,
// and prints the result and how to reach it.
func (o *ExposeOptions) Run(ctx context.Context) error {
	if err := o.connect(); err != nil {
		return err
	}
	a := &applier{istio: o.Clients.Istio, mode: o.dryRun, errOut: o.ErrOut}
	var (
		svc    *corev1.Service
		result []model.Change
		warned bool
		// clashWarned: Gateways of other namespaces were checked once.
		clashWarned bool
	)
	ingress := newIngressLookup(ctx, o.Clients, o.req.Selector)
	if o.dryRun == dryRunNone {
		ingress.start() // needed for the hint anyway: overlap it with the reads
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
	if err := printChanges(o.PrintFlags, o.Out, result, o.dryRun); err != nil {
		return err
	}
	if o.dryRun == dryRunNone {
		o.printReach(ctx, ingress, result)
	}
	return nil
}

// ingressLookup finds the ingress gateway once, in the background.
type ingressLookup struct {
	once sync.Once
	find func() (*resolve.Ingress, error)
	done chan struct{}
	in   *resolve.Ingress
	err  error
}

func newIngressLookup(ctx context.Context, c *Clients, sel map[string]string) *ingressLookup {
	return &ingressLookup{done: make(chan struct{}), find: func() (*resolve.Ingress, error) {
		return resolve.FindIngress(ctx, c.Kube, resolve.Options{Selector: sel})
	}}
}

func (l *ingressLookup) start() {
	l.once.Do(func() {
		go func() {
			l.in, l.err = l.find()
			close(l.done)
		}()
	})
}

func (l *ingressLookup) get() (*resolve.Ingress, error) {
	l.start()
	<-l.done
	return l.in, l.err
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

// readAll gets the Service and the namespace's Gateways and VirtualServices
// at once.
func (o *ExposeOptions) readAll(ctx context.Context) (*corev1.Service, model.State, error) {
	var (
		svc    *corev1.Service
		svcErr error
		wg     sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		ns, name := o.req.Target.Namespace, o.req.Target.Service
		svc, svcErr = o.Clients.Kube.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(svcErr) {
			svcErr = fmt.Errorf("service %q not found in namespace %q: expected an existing Service (see kubectl get services -n %s)", name, ns, ns)
		} else if svcErr != nil {
			svcErr = ExplainAPIError(svcErr, "get", "services")
		}
	}()
	st, err := o.readState(ctx)
	wg.Wait()
	if svcErr != nil {
		return nil, st, svcErr
	}
	return svc, st, err
}

// readState reads the namespace's Gateways and VirtualServices, the
// --gateway one, and the Gateways of other namespaces, in parallel.
func (o *ExposeOptions) readState(ctx context.Context) (model.State, error) {
	return readState(ctx, o.Clients, o.req.Target.Namespace, o.req.Gateway, true)
}

// readState lists the Gateways and VirtualServices of ns, and gets gw when
// it lives elsewhere. With wide, the Gateways are listed in every namespace
// in the same single request (st.OtherGateways), or in ns alone when that
// is forbidden.
func readState(ctx context.Context, c *Clients, ns string, gw *model.ObjectRef, wide bool) (model.State, error) {
	var (
		st           model.State
		gwErr, vsErr error
		extErr       error
		ext          *networkingv1.Gateway
		wg           sync.WaitGroup
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		if wide {
			l, err := c.Istio.NetworkingV1().Gateways(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
			if err == nil {
				for _, g := range l.Items {
					if g.Namespace == ns {
						st.Gateways = append(st.Gateways, g)
					} else {
						st.OtherGateways = append(st.OtherGateways, g)
					}
				}
				return
			}
			if !apierrors.IsForbidden(err) {
				gwErr = ExplainAPIError(err, "list", gatewaysResource)
				return
			}
		}
		l, err := c.Istio.NetworkingV1().Gateways(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			gwErr = ExplainAPIError(err, "list", gatewaysResource)
			return
		}
		st.Gateways = l.Items
	}()
	go func() {
		defer wg.Done()
		l, err := c.Istio.NetworkingV1().VirtualServices(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			vsErr = ExplainAPIError(err, "list", virtualServicesResource)
			return
		}
		st.VirtualServices = l.Items
	}()
	if gw != nil && gw.Namespace != ns {
		g, err := c.Istio.NetworkingV1().Gateways(gw.Namespace).Get(ctx, gw.Name, metav1.GetOptions{})
		switch {
		case err == nil:
			ext = g
		case apierrors.IsNotFound(err) && retryable(err):
			// not there yet: the plan creates it
		default:
			extErr = ExplainAPIError(err, "get", gatewaysResource)
		}
	}
	wg.Wait()
	if err := firstErr(gwErr, vsErr, extErr); err != nil {
		return st, err
	}
	if ext != nil {
		st.Gateways = append(st.Gateways, ext)
	}
	return st, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
