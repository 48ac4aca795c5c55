// Package portforward is the local reverse proxy of `kubectl expose-gw
// proxy`: it forwards requests to the Istio ingress gateway with the Host
// header a route needs, either to an address reachable from here (direct) or
// through a pool of port-forward tunnels to a Ready gateway pod.
package portforward

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httputil"
	"sync"
	"time"
)

// DialFunc opens a connection to the gateway. The address it is given is the
// route host; it is free to ignore it (it always reaches the gateway).
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Target is where and how requests are sent.
type Target struct {
	// Host is the Host header sent to the gateway, without a port. Empty
	// keeps the client's Host (a route for "*").
	Host string
	// HTTPS originates TLS to the gateway with SNI = the host.
	HTTPS bool
	// TLS verifies the gateway when HTTPS (ServerName is set per host).
	TLS *tls.Config
	// Dial reaches the gateway (direct address or tunnel).
	Dial DialFunc
	// Timeouts bound the clients and the gateway (zero fields: defaults).
	Timeouts Timeouts
}

// NewTransport is the keep-alive connection pool to the gateway: HTTP/1.1,
// bodies and encodings passed through untouched (DisableCompression: no
// Accept-Encoding of its own, no gunzip). The transport bounds its waits
// with timers, never with connection deadlines, so a port-forward stream
// (which has none) is bounded the same way. A gateway connection that has
// bytes to read while no request is waiting for an answer (a body where
// none belongs, a late 408) is closed by the transport's read loop, which
// logs "Unsolicited response received on idle HTTP channel".
func NewTransport(t Target) *http.Transport {
	to := t.Timeouts.withDefaults()
	tr := &http.Transport{
		DialContext: t.Dial,
		// Every request goes to one host (the gateway): the pool per host
		// is the whole pool. 256 idle connections cover a browser's 6 per
		// origin many times over and wrk's 32 in the bench; more would only
		// keep gateway connections (and port-forward streams) open for
		// nothing.
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    256,
		IdleConnTimeout:        to.Idle, // a gateway connection is let go like a client one (Envoy keeps them an hour)
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		ResponseHeaderTimeout:  to.ResponseHeader,
		MaxResponseHeaderBytes: 1 << 20,
		DisableCompression:     true,
		ForceAttemptHTTP2:      false,
	}
	if t.HTTPS {
		if t.TLS != nil {
			tr.TLSClientConfig = t.TLS.Clone()
		} else {
			tr.TLSClientConfig = &tls.Config{}
		}
		// The SNI is the URL's host, which rewrite sets to the route host.
		tr.TLSClientConfig.ServerName = ""
		// No ALPN h2: the transport speaks HTTP/1.1, like the WebSocket upgrades need.
		tr.TLSClientConfig.NextProtos = nil
	}
	return tr
}

// NewReverseProxy forwards every request to the gateway with the route's
// Host, X-Forwarded-For/-Proto/-Host set, and a 502 with a one-line reason
// when the gateway cannot be reached. Streaming responses are flushed as
// they come; WebSocket upgrades are spliced.
func NewReverseProxy(t Target, transport http.RoundTripper) *httputil.ReverseProxy {
	scheme := "http"
	if t.HTTPS {
		scheme = "https"
	}
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			rewrite(pr, scheme, t.Host)
		},
		Transport:    transport,
		BufferPool:   buffers,
		ErrorHandler: writeBadGateway,
		ErrorLog:     discardLogger,
	}
}

// buffers reuses the body copy buffers (ReverseProxy allocates 32 KiB per
// request otherwise).
var buffers = &bufferPool{pool: sync.Pool{New: func() any { b := make([]byte, 32*1024); return &b }}}

type bufferPool struct{ pool sync.Pool }

func (p *bufferPool) Get() []byte  { return *(p.pool.Get().(*[]byte)) }
func (p *bufferPool) Put(b []byte) { p.pool.Put(&b) }

// rewrite sets the outgoing request: the path, query, method, body and
// headers stay; the Host is the route host (without a port) or the client's.
func rewrite(pr *httputil.ProxyRequest, scheme, host string) {
	out := pr.Out
	out.URL.Scheme = scheme
	if host != "" {
		out.Host = host
		out.URL.Host = host
	} else {
		out.Host = pr.In.Host
		out.URL.Host = hostOnly(pr.In.Host)
	}
	if out.URL.Host == "" {
		out.URL.Host = "gateway"
	}
	// Keep the chain of X-Forwarded-For the client sent, as nginx's
	// $proxy_add_x_forwarded_for does, then add the client's address.
	if xff, ok := pr.In.Header["X-Forwarded-For"]; ok {
		out.Header["X-Forwarded-For"] = append([]string(nil), xff...)
	}
	pr.SetXForwarded()
}

// hostOnly strips the port of a Host header value.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}
