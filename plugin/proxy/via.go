package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/portforward"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// directProbe is how long --via auto waits for the direct address.
const directProbe = time.Second

// gateway is the chosen way to the gateway.
type gateway struct {
	how   string // for the Forwarding line
	dial  portforward.DialFunc
	tls   *tls.Config
	close func()
}

// reach chooses direct (to the first outside address of r that answers)
// or a port-forward to its pods, as --via says.
func (o *ProxyOptions) reach(ctx context.Context, r *route.Reach) (*gateway, error) {
	tlsCfg, err := o.tlsConfig()
	if err != nil {
		return nil, err
	}
	scheme := "http"
	if o.HTTPS {
		scheme = "https"
	}
	if o.Via != ViaPortForward {
		eps, err := r.Endpoints(ctx, scheme)
		var un *resolve.Unreachable
		switch {
		case errors.As(err, &un) && o.Via == ViaAuto:
			fmt.Fprintf(o.ErrOut, "No direct way to the gateway (%s): using a port-forward\n", un.Reason)
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
				gw.tls = tlsCfg
				if o.Via == ViaAuto {
					fmt.Fprintf(o.ErrOut, "The gateway answers at %s: going direct\n", gw.how)
				}
				return gw, nil
			case o.Via == ViaDirect:
				cli.Warnf(o.ErrOut, "%v; requests will get 502 until it answers", probeErr)
				gw := directTo(eps[0])
				gw.tls = tlsCfg
				return gw, nil
			default:
				fmt.Fprintf(o.ErrOut, "%v: using a port-forward\n", probeErr)
			}
		}
	}
	ns, selector, port, err := r.Forward(ctx)
	if err != nil {
		return nil, err
	}
	gw, err := o.forwardPool(ctx, ns, selector, port)
	if err != nil {
		return nil, err
	}
	gw.tls = tlsCfg
	return gw, nil
}

// probeDirect dials the first few endpoints briefly and keeps the first
// that answers.
func probeDirect(ctx context.Context, eps []resolve.Endpoint) (*gateway, error) {
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

func directTo(ep resolve.Endpoint) *gateway {
	addr := net.JoinHostPort(ep.Host, strconv.Itoa(int(ep.Port)))
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &gateway{
		how: fmt.Sprintf("%s://%s (%s)", ep.Scheme, addr, ep.Source),
		dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return nil, fmt.Errorf("cannot reach the gateway at %s: %w", addr, err)
			}
			return c, nil
		},
		close: func() {},
	}
}

// forwardPool opens the tunnel pool to the pods of selector in ns, on
// the port the pod resolves.
func (o *ProxyOptions) forwardPool(ctx context.Context, ns, selector string, port func(*corev1.Pod) (int32, error)) (*gateway, error) {
	var started atomic.Bool
	pool := portforward.NewPool(portforward.PoolOptions{
		Kube:      o.clients.Kube,
		Connect:   portforward.NewConnect(o.clients.Config, o.clients.Kube),
		Namespace: ns,
		Selector:  selector,
		Port:      port,
		Size:      o.Tunnels,
		Logf: func(format string, args ...any) {
			if started.Load() {
				fmt.Fprintf(o.ErrOut, format+"\n", args...)
			}
		},
	})
	if err := pool.Start(ctx); err != nil {
		return nil, fmt.Errorf("cannot port-forward to the gateway: %w", err)
	}
	started.Store(true)
	return &gateway{
		how:   fmt.Sprintf("port-forward to pod %s/%s port %d", ns, pool.Pod(), pool.Port()),
		dial:  pool.DialContext,
		close: pool.Close,
	}, nil
}

// tlsConfig verifies the gateway with --gateway-ca-file, the system's CAs,
// or not at all with --gateway-insecure-skip-tls-verify.
func (o *ProxyOptions) tlsConfig() (*tls.Config, error) {
	if !o.HTTPS {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.Insecure} //nolint:gosec // asked for
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading --%s: %w", flagGatewayCAFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("invalid --%s %q: expected PEM certificates", flagGatewayCAFile, o.CAFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// clickable is the listener's address as a browser can use it (loopback
// for a wildcard address).
func clickable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}
