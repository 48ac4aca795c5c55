package istio

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// ingressLookup finds the ingress gateway once, in the background: its
// pods and selector (resolve.FindGateway), then its Service.
type ingressLookup struct {
	once    sync.Once
	started atomic.Bool
	find    func() (*resolve.Gateway, error)
	serve   func(*resolve.Gateway) (*resolve.Ingress, error)
	found   chan struct{} // closed when gw and gwErr are set
	done    chan struct{} // closed when in and err are set too
	gw      *resolve.Gateway
	gwErr   error
	in      *resolve.Ingress
	err     error
}

// newIngressLookup looks for the gateway of sel; nil means none was given.
func newIngressLookup(ctx context.Context, c *kube.Clients, sel map[string]string) *ingressLookup {
	return &ingressLookup{found: make(chan struct{}), done: make(chan struct{}),
		find: func() (*resolve.Gateway, error) {
			return resolve.FindGateway(ctx, c.Kube, resolve.Options{Selector: sel})
		},
		serve: func(g *resolve.Gateway) (*resolve.Ingress, error) { return g.Ingress(ctx, c.Kube) },
	}
}

func (l *ingressLookup) start() {
	l.once.Do(func() {
		l.started.Store(true)
		go func() {
			defer close(l.done)
			g, err := l.find()
			if err != nil {
				g = nil
			}
			l.gw, l.gwErr = g, err
			close(l.found)
			if err != nil {
				l.err = err
				return
			}
			l.in, l.err = l.serve(g)
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

// pods is the first stage's answer: the gateway's pods and selector, or
// why none was found, without waiting for its Service.
func (l *ingressLookup) pods() (*resolve.Gateway, error) {
	l.start()
	<-l.found
	return l.gw, l.gwErr
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

// useGateway sets the request's selector to the gateway found when no
// --gateway-selector was given, and says which on stderr when it is not
// the default. Several ingress gateways, or none, are errors (none is a
// warning for --dry-run=client, which prints the default selector's
// Gateway). Failing to look (e.g. forbidden) keeps the default selector:
// warned is then false and the ports look-up warns. warned is true when
// the error was already told.
func (x *istioExpose) useGateway(l *ingressLookup) (warned bool, err error) {
	g, in, err := l.result()
	var none *resolve.NoGatewayError
	var several *resolve.SeveralGatewaysError
	switch {
	case errors.As(err, &none) && x.in.DryRun == route.DryRunClient:
		x.in.Notes.Warn(fmt.Sprintf("%v; the Gateway printed selects %s and listens on the default ports 80/443",
			err, route.FormatSelector(x.in.Req.Selector)))
		return true, nil
	case errors.As(err, &none), errors.As(err, &several):
		return false, err
	case g == nil:
		return false, nil
	}
	x.in.Req.Selector = g.Selector
	if g.Warning != "" {
		x.in.Notes.Warn(g.Warning)
	}
	if g.Discovered {
		var svc *corev1.Service
		if in != nil {
			svc = in.Service
		}
		x.in.Notes.Say(g.Found(svc))
	}
	return false, nil
}
