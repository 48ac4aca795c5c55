package portforward

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"
)

// Timeouts bound how long a client or the gateway may keep the proxy
// waiting. A zero field takes its default.
type Timeouts struct {
	// ReadHeader is how long a client has to send a request head: from the
	// connection's start for the first, from its first byte for the next
	// ones (default 10s; a browser sends a head at once).
	ReadHeader time.Duration
	// Idle is how long a kept-alive client connection may wait for its next
	// request (default 75s, nginx's keepalive_timeout); an idle gateway
	// connection is closed after as long.
	Idle time.Duration
	// BodyRead is how long a request body may go without a byte arriving
	// (default 60s, nginx's client_body_timeout): a stalled upload does not
	// hold a gateway connection for ever.
	BodyRead time.Duration
	// ResponseHeader is how long the gateway has to answer once the request
	// is sent (default 60s, nginx's proxy_read_timeout); then the client
	// gets a 504.
	ResponseHeader time.Duration
}

// Defaults of Timeouts.
const (
	DefaultReadHeaderTimeout     = 10 * time.Second
	DefaultIdleTimeout           = 75 * time.Second
	DefaultBodyReadTimeout       = 60 * time.Second
	DefaultResponseHeaderTimeout = 60 * time.Second
)

// MaxHeaderBytes bounds a client's request head (as Envoy's default
// max_request_headers_kb, 60 KiB; the gateway would refuse more anyway).
const MaxHeaderBytes = 60 << 10

func (t Timeouts) withDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.ReadHeader, DefaultReadHeaderTimeout)
	def(&t.Idle, DefaultIdleTimeout)
	def(&t.BodyRead, DefaultBodyReadTimeout)
	def(&t.ResponseHeader, DefaultResponseHeaderTimeout)
	return t
}

// shutdownGrace is how long requests in flight may finish once ctx ends.
const shutdownGrace = time.Second

// Serve proxies the connections of ln to the gateway until ctx ends: one
// net/http server, g in front of the ReverseProxy (g.Next, when nil). When
// ctx ends it stops accepting, closes the idle connections and waits at
// most a second for the requests in flight before closing the rest.
func Serve(ctx context.Context, ln net.Listener, t Target, g *Guard) error {
	to := t.Timeouts.withDefaults()
	if g.Next == nil {
		g.Next = NewReverseProxy(t, NewTransport(t))
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true) // no HTTP/2 of its own either: it would bypass nothing, but it is not needed
	srv := &http.Server{
		Handler:           bodyTimeout(g, to.BodyRead),
		ReadHeaderTimeout: to.ReadHeader,
		IdleTimeout:       to.Idle,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          discardLogger,
		Protocols:         &protocols,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if srv.Shutdown(sctx) != nil {
		_ = srv.Close()
	}
	<-served
	return nil
}

// gcPercent is the GOGC the proxy runs with: its live heap is small (a
// few buffers per connection), so the default 100 makes it collect every
// few hundred requests, CPU taken from the gateway on a small machine.
const gcPercent = 400

// TuneGC sets the proxy's GOGC to gcPercent unless the user set GOGC.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
