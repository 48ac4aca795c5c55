// Package dial opens the way to the ingress gateway that `proxy` and
// `url --check` send requests through: directly at an outside address of
// the gateway (LoadBalancer or NodePort) when it answers, else through a
// pool of port-forwards to a Ready gateway pod.
package dial

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/portforward"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// Ways of reaching the gateway (--via).
const (
	ViaAuto        = "auto"
	ViaDirect      = "direct"
	ViaPortForward = "port-forward"
)

// Vias are the --via values.
var Vias = []string{ViaAuto, ViaDirect, ViaPortForward}

// ValidateVia checks a --via value.
func ValidateVia(via string) error {
	switch via {
	case ViaAuto, ViaDirect, ViaPortForward:
		return nil
	}
	return fmt.Errorf("invalid --via %q: expected auto, direct or port-forward", via)
}

// directProbe is how long --via auto waits for the direct address.
const directProbe = time.Second

// Options say how to reach the gateway.
type Options struct {
	Via     string // ViaAuto, ViaDirect or ViaPortForward
	Scheme  string // http or https: which port of the gateway
	Tunnels int    // port-forward connections to spread requests over (default 1)
	Clients *kube.Clients
	// Say gets the lines about the choice (auto going direct or falling
	// back); Warn a direct address that does not answer with --via direct;
	// Logf what the port-forward pool says once started. Nil: quiet.
	Say  func(string)
	Warn func(string)
	Logf func(format string, args ...any)
}

// Gateway is the chosen way to the gateway.
type Gateway struct {
	How      string            // for the Forwarding line
	Via      string            // ViaDirect or ViaPortForward
	Endpoint *resolve.Endpoint // direct: the address
	Pod      string            // port-forward: NAMESPACE/POD first reached
	Dial     portforward.DialFunc
	Close    func()
}

// Open chooses direct (to the first outside address of r that answers)
// or a port-forward to its pods, as o.Via says.
func Open(ctx context.Context, o Options, r *route.Reach) (*Gateway, error) {
	say, warn := orQuiet(o.Say), orQuiet(o.Warn)
	if o.Via != ViaPortForward {
		eps, err := r.Endpoints(ctx, o.Scheme)
		var un *resolve.Unreachable
		switch {
		case errors.As(err, &un) && o.Via == ViaAuto:
			say(fmt.Sprintf("No direct way to the gateway (%s): using a port-forward", un.Reason))
		case errors.As(err, &un):
			return nil, fmt.Errorf("--via direct: %s: use --via port-forward", un.Reason)
		case err != nil:
			return nil, err
		default:
			gw, probeErr := probeDirect(ctx, eps)
			switch {
			case ctx.Err() != nil:
				return nil, ctx.Err() // Ctrl-C during the probe: no "does not answer" to print
			case probeErr == nil:
				if o.Via == ViaAuto {
					say(fmt.Sprintf("The gateway answers at %s: going direct", gw.How))
				}
				return gw, nil
			case o.Via == ViaDirect:
				warn(fmt.Sprintf("%v; requests will get 502 until it answers", probeErr))
				return directTo(eps[0]), nil
			default:
				say(fmt.Sprintf("%v: using a port-forward", probeErr))
			}
		}
	}
	ns, selector, port, err := r.Forward(ctx)
	if err != nil {
		return nil, err
	}
	return Forward(ctx, o, ns, selector, port)
}

func orQuiet(f func(string)) func(string) {
	if f == nil {
		return func(string) {}
	}
	return f
}

// probeDirect dials the first few endpoints briefly and keeps the first
// that answers.
func probeDirect(ctx context.Context, eps []resolve.Endpoint) (*Gateway, error) {
	var errs []error
	for i, ep := range eps {
		if i == 3 {
			break
		}
		addr := net.JoinHostPort(ep.Host, strconv.Itoa(int(ep.Port)))
		d := net.Dialer{Timeout: directProbe}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s (%s) does not answer: %w", addr, ep.Source, err))
			continue
		}
		_ = c.Close()
		return directTo(ep), nil
	}
	return nil, errors.Join(errs...)
}

func directTo(ep resolve.Endpoint) *Gateway {
	addr := net.JoinHostPort(ep.Host, strconv.Itoa(int(ep.Port)))
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &Gateway{
		How:      fmt.Sprintf("%s://%s (%s)", ep.Scheme, addr, ep.Source),
		Via:      ViaDirect,
		Endpoint: &ep,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return nil, fmt.Errorf("cannot reach the gateway at %s: %w", addr, err)
			}
			return c, nil
		},
		Close: func() {},
	}
}

// Forward opens the tunnel pool to a Ready pod of selector in ns, on the
// port the pod resolves (o.Clients and o.Tunnels are used).
func Forward(ctx context.Context, o Options, ns, selector string, port func(*corev1.Pod) (int32, error)) (*Gateway, error) {
	var started atomic.Bool
	pool := portforward.NewPool(portforward.PoolOptions{
		Kube:      o.Clients.Kube,
		Connect:   portforward.NewConnect(o.Clients.Config, o.Clients.Kube),
		Namespace: ns,
		Selector:  selector,
		Port:      port,
		Size:      max(o.Tunnels, 1),
		Logf: func(format string, args ...any) {
			if started.Load() && o.Logf != nil {
				o.Logf(format, args...)
			}
		},
	})
	if err := pool.Start(ctx); err != nil {
		return nil, fmt.Errorf("cannot port-forward to the gateway: %w", err)
	}
	started.Store(true)
	return &Gateway{
		How:   fmt.Sprintf("port-forward to pod %s/%s port %d", ns, pool.Pod(), pool.Port()),
		Via:   ViaPortForward,
		Pod:   ns + "/" + pool.Pod(),
		Dial:  pool.DialContext,
		Close: pool.Close,
	}, nil
}
