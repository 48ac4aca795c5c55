package portforward

import (
	"fmt"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/rest"
	clientpf "k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// ConnectFunc opens a port-forward connection to a pod.
type ConnectFunc func(namespace, pod string) (httpstream.Connection, error)

// NewConnect dials pods' portforward subresource through the apiserver the
// way kubectl port-forward does: WebSocket first, SPDY when the apiserver
// (or a proxy on the way) does not upgrade to WebSocket.
func NewConnect(cfg *rest.Config, kube kube.Kube) ConnectFunc {
	return func(namespace, pod string) (httpstream.Connection, error) {
		u := kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).
			Name(pod).SubResource("portforward").URL()
		tr, upgrader, err := spdy.RoundTripperFor(cfg)
		if err != nil {
			return nil, err
		}
		var dialer httpstream.Dialer = spdy.NewDialer(upgrader, &http.Client{Transport: tr}, http.MethodPost, u)
		ws, err := newWSDialer(u, cfg)
		if err != nil {
			return nil, err
		}
		dialer = clientpf.NewFallbackDialer(ws, dialer, func(err error) bool {
			return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
		})
		conn, proto, err := dialWithin(dialer, DialTimeout, clientpf.PortForwardProtocolV1Name)
		if err != nil {
			return nil, fmt.Errorf("port-forward to pod %s/%s: %w", namespace, pod, err)
		}
		if proto != clientpf.PortForwardProtocolV1Name {
			_ = conn.Close()
			return nil, fmt.Errorf("the apiserver offered port-forward protocol %q, expected %q", proto, clientpf.PortForwardProtocolV1Name)
		}
		return conn, nil
	}
}

// DialTimeout bounds the opening of a port-forward tunnel: an apiserver
// that accepts the connection but never upgrades it must not hang requests.
var DialTimeout = 15 * time.Second

// dialWithin is d.Dial that gives up after timeout. A connection that
// arrives later is closed.
func dialWithin(d httpstream.Dialer, timeout time.Duration, protocols ...string) (httpstream.Connection, string, error) {
	type result struct {
		conn  httpstream.Connection
		proto string
		err   error
	}
	ch := make(chan result, 1)
	go func() {
		c, p, err := d.Dial(protocols...)
		ch <- result{c, p, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.conn, r.proto, r.err
	case <-timer.C:
		go func() {
			if r := <-ch; r.conn != nil {
				_ = r.conn.Close()
			}
		}()
		return nil, "", fmt.Errorf("the apiserver did not open the tunnel within %s", timeout)
	}
}
