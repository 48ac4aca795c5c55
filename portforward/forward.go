package portforward

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The forwarder serves plain HTTP/1.1 requests itself, in the goroutine of
// the client connection, over one keep-alive connection to the gateway per
// client connection: read the head, rewrite Host and X-Forwarded-*, send,
// relay the answer, no goroutine hand-off and no header maps. That is the
// hot path of a browser or a load test. The first request it does not fully
// understand (see parseRequest) hands the whole connection to net/http:
// Guard and httputil.ReverseProxy then serve it to its end (upgrades,
// chunked uploads, refusals...).

const (
	clientBuffer  = 32 << 10 // request head and body the forwarder takes
	gatewayBuffer = 64 << 10 // response head (Envoy's limit is 60 KiB)
	writeBuffer   = 16 << 10
	staleAfter    = 2 // seconds idle after which a gateway connection is checked before reuse

	// streamIdleLimit is how long a port-forward stream may sit idle and
	// still be reused, in seconds. Envoy closes idle client connections
	// after an hour by default.
	streamIdleLimit = 30
)

// forwarder holds what every client connection shares.
type forwarder struct {
	t       Target
	guard   *Guard
	tls     *tls.Config // HTTPS: the base config, ServerName set per host
	hostTLS *tls.Config // HTTPS with a fixed host: the config to use
	handoff func(net.Conn) bool
	clock   atomic.Int64 // Unix seconds, kept by tick: cheaper than a clock read per request
}

func (f *forwarder) now() int64 { return f.clock.Load() }

// tick keeps the forwarder's clock until ctx ends.
func (f *forwarder) tick(ctx context.Context) {
	f.clock.Store(time.Now().Unix())
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			f.clock.Store(now.Unix())
		}
	}
}

func newForwarder(t Target, g *Guard, handoff func(net.Conn) bool) *forwarder {
	f := &forwarder{t: t, guard: g, handoff: handoff}
	f.clock.Store(time.Now().Unix())
	if t.HTTPS {
		f.tls = &tls.Config{}
		if t.TLS != nil {
			f.tls = t.TLS.Clone()
		}
		f.tls.NextProtos = nil // HTTP/1.1
		if f.tls.ClientSessionCache == nil {
			f.tls.ClientSessionCache = tls.NewLRUClientSessionCache(64)
		}
		if t.Host != "" {
			f.hostTLS = f.tls.Clone()
			f.hostTLS.ServerName = t.Host
		}
	}
	return f
}

// clientConn is one client connection in the forwarder.
type clientConn struct {
	f      *forwarder
	c      net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	ip     string
	gw     *gatewayConn
	req    reqHead
	resp   respHead
	out    []byte
	okHost []byte // the last Host the guard allowed

	idle atomic.Bool // waiting for a request (shutdown closes it)

	mu  sync.Mutex // guards gwc, which shutdown closes from another goroutine
	gwc net.Conn
}

// gatewayConn is the kept-alive connection to the gateway.
type gatewayConn struct {
	c    net.Conn
	raw  net.Conn // under TLS, the connection TLS runs on
	br   *bufio.Reader
	bw   *bufio.Writer
	sni  string
	used int64 // f.now() when it last answered
}

func (f *forwarder) newConn(c net.Conn) *clientConn {
	ip, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		ip = c.RemoteAddr().String()
	}
	return &clientConn{f: f, c: c, ip: ip,
		br: bufio.NewReaderSize(c, clientBuffer), bw: bufio.NewWriterSize(c, writeBuffer)}
}

// serve forwards the connection's requests until it closes, fails, asks
// to close, or goes to net/http. track says when the server shuts down.
func (cc *clientConn) serve(ctx context.Context, track *tracker) {
	handedOff := false
	defer func() {
		cc.dropGateway()
		if !handedOff {
			_ = cc.c.Close()
		}
		track.remove(cc)
	}()
	for {
		if !track.idle(cc) {
			return
		}
		n, err := peekHead(cc.br)
		if err != nil {
			return
		}
		track.busy(cc)
		total, ok := cc.take(n)
		if !ok {
			_ = cc.bw.Flush()
			handedOff = cc.f.handoff(&bufferedConn{Conn: cc.c, r: cc.br})
			return
		}
		msg, err := cc.br.Peek(total) // waits for the body
		if err != nil {
			return
		}
		keep := cc.forward(ctx, msg, n)
		_, _ = cc.br.Discard(total)
		if !keep || cc.req.close || track.closing() {
			return
		}
	}
}

// take parses the head of n bytes and says whether the forwarder serves
// it, and how long the request is with its body.
func (cc *clientConn) take(n int) (int, bool) {
	if n < 0 {
		return 0, false
	}
	head, _ := cc.br.Peek(n)
	if !parseRequest(head, &cc.req) {
		return 0, false
	}
	total := int64(n) + cc.req.contentLength
	if total > clientBuffer {
		return 0, false
	}
	host := head[cc.req.host.start:cc.req.host.end]
	if g := cc.f.guard; g.CheckHost && string(host) != string(cc.okHost) {
		if !g.allowed(string(host)) {
			return 0, false // net/http answers the refusal
		}
		cc.okHost = append(cc.okHost[:0], host...)
	}
	return int(total), true
}

// forward sends the request (head of n bytes, then the body) and relays
// the answer; false when the client connection must close.
func (cc *clientConn) forward(ctx context.Context, msg []byte, n int) bool {
	head, body := msg[:n], msg[n:]
	out := cc.rewrite(head)
	host := cc.f.t.Host
	if host == "" {
		host = hostOnly(string(head[cc.req.host.start:cc.req.host.end]))
	}
	isHead := string(head[cc.req.method.start:cc.req.method.end]) == "HEAD"
	for attempt := 0; ; attempt++ {
		reused, err := cc.gateway(ctx, host)
		if err != nil {
			return cc.badGateway(err)
		}
		gw := cc.gw
		_, err = gw.bw.Write(out)
		if err == nil {
			_, err = gw.bw.Write(body)
		}
		if err == nil {
			err = gw.bw.Flush()
		}
		var sent, keep bool
		if err == nil {
			sent, keep, err = cc.relay(isHead)
		}
		if err == nil {
			return keep
		}
		cc.dropGateway()
		if sent {
			return false // the client got part of the answer: cut it
		}
		if reused && attempt == 0 && idempotent(head[cc.req.method.start:cc.req.method.end]) {
			continue // the kept connection had gone stale: once more on a new one
		}
		return cc.badGateway(err)
	}
}

// rewrite is the head sent to the gateway: the request line and headers as
// the client wrote them, with the route's Host, without hop-by-hop headers,
// and with X-Forwarded-For (the client's chain, then the client),
// X-Forwarded-Host and X-Forwarded-Proto as httputil.ProxyRequest's
// SetXForwarded writes them.
func (cc *clientConn) rewrite(head []byte) []byte {
	r := &cc.req
	out := append(cc.out[:0], head[r.method.start:r.target.end]...)
	out = append(out, " HTTP/1.1\r\nHost: "...)
	if cc.f.t.Host != "" {
		out = append(out, cc.f.t.Host...)
	} else {
		out = append(out, head[r.host.start:r.host.end]...)
	}
	out = append(out, "\r\n"...)
	for _, l := range r.keep {
		out = append(out, head[l.start:l.end]...)
		out = append(out, "\r\n"...)
	}
	out = append(out, "X-Forwarded-For: "...)
	for _, v := range r.xff {
		out = append(out, head[v.start:v.end]...)
		out = append(out, ", "...)
	}
	out = append(out, cc.ip...)
	out = append(out, "\r\nX-Forwarded-Host: "...)
	out = append(out, head[r.host.start:r.host.end]...)
	out = append(out, "\r\nX-Forwarded-Proto: http\r\n\r\n"...)
	cc.out = out
	return out
}

// gateway makes sure there is a usable connection to the gateway; reused
// is true when it served a request before.
func (cc *clientConn) gateway(ctx context.Context, host string) (reused bool, err error) {
	if gw := cc.gw; gw != nil {
		if gw.sni == host && !gw.stale(cc.f.now()) {
			return true, nil
		}
		cc.dropGateway()
	}
	c, err := cc.f.t.Dial(ctx, "tcp", net.JoinHostPort(host, "80"))
	if err != nil {
		return false, err
	}
	raw := c
	if cc.f.t.HTTPS {
		cfg := cc.f.hostTLS
		if cfg == nil {
			cfg = cc.f.tls.Clone()
			cfg.ServerName = host
		}
		tc := tls.Client(c, cfg)
		hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			_ = c.Close()
			return false, err
		}
		c = tc
	}
	cc.setGatewayConn(c)
	cc.gw = &gatewayConn{c: c, raw: raw, sni: host, br: bufio.NewReaderSize(c, gatewayBuffer), bw: bufio.NewWriterSize(c, writeBuffer)}
	return false, nil
}

func (cc *clientConn) dropGateway() {
	if cc.gw != nil {
		_ = cc.gw.c.Close()
		cc.gw = nil
		cc.setGatewayConn(nil)
	}
}

func (cc *clientConn) setGatewayConn(c net.Conn) {
	cc.mu.Lock()
	cc.gwc = c
	cc.mu.Unlock()
}

// kill closes the client connection and the gateway connection under it.
func (cc *clientConn) kill() {
	_ = cc.c.Close()
	cc.mu.Lock()
	if cc.gwc != nil {
		_ = cc.gwc.Close()
	}
	cc.mu.Unlock()
}

// relay copies the gateway's answer to the client. sent is true once
// anything reached the client; keep is false when the client connection
// must close after it.
func (cc *clientConn) relay(isHead bool) (sent, keep bool, err error) {
	gw, r := cc.gw, &cc.resp
	for {
		n, err := peekHead(gw.br)
		switch {
		case errors.Is(err, io.EOF):
			return sent, false, errors.New("the gateway closed the connection without answering")
		case err != nil:
			return sent, false, err
		case n < 0:
			return sent, false, fmt.Errorf("the gateway's response head is larger than %d KiB", gatewayBuffer>>10)
		}
		head, _ := gw.br.Peek(n)
		if err := parseResponse(head, r); err != nil {
			return sent, false, err
		}
		if r.status == 101 {
			return sent, false, errors.New("the gateway switched protocols without being asked to")
		}
		final := r.status >= 200
		noBody := isHead || r.status == 204 || r.status == 304 || !final
		closeClient := cc.req.close || (!noBody && !r.chunked && r.contentLength < 0)
		cc.writeHead(head, closeClient && final)
		_, _ = gw.br.Discard(n)
		sent = true
		if !final {
			if err := cc.bw.Flush(); err != nil {
				return sent, false, err
			}
			continue // 1xx: the final answer follows
		}
		switch {
		case noBody:
		case r.chunked:
			err = relayChunked(cc.bw, gw.br)
		case r.contentLength >= 0:
			err = relayN(cc.bw, gw.br, r.contentLength)
		default:
			err = relayToEOF(cc.bw, gw.br)
			r.close = true
		}
		if err != nil {
			return sent, false, err
		}
		if err := cc.bw.Flush(); err != nil {
			return sent, false, err
		}
		if r.close {
			cc.dropGateway()
		} else {
			gw.used = cc.f.now()
		}
		return sent, !closeClient, nil
	}
}

// writeHead writes the gateway's status line and end-to-end headers.
func (cc *clientConn) writeHead(head []byte, closeClient bool) {
	r := &cc.resp
	bw := cc.bw
	_, _ = bw.WriteString("HTTP/1.1 ")
	_, _ = bw.WriteString(strconv.Itoa(r.status))
	_, _ = bw.Write(head[r.reason.start:r.reason.end])
	_, _ = bw.WriteString("\r\n")
	for _, l := range r.keep {
		_, _ = bw.Write(head[l.start:l.end])
		_, _ = bw.WriteString("\r\n")
	}
	if closeClient {
		_, _ = bw.WriteString("Connection: close\r\n")
	}
	_, _ = bw.WriteString("\r\n")
}

// badGateway answers 502 (504 on a timeout) with one line saying why;
// false when the client connection cannot go on.
func (cc *clientConn) badGateway(err error) bool {
	status, text := 502, "Bad Gateway"
	if errors.Is(err, context.DeadlineExceeded) {
		status, text = 504, "Gateway Timeout"
	}
	msg := "expose-gw proxy: " + oneLine(err) + "\n"
	fmt.Fprintf(cc.bw, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: %d\r\n", status, text, len(msg))
	if cc.req.close {
		_, _ = cc.bw.WriteString("Connection: close\r\n")
	}
	_, _ = cc.bw.WriteString("\r\n" + msg)
	return cc.bw.Flush() == nil
}

// stale is true when the gateway connection cannot take a request: its
// tunnel died, or it sat idle and the gateway closed it (checked without
// blocking on connections that have read deadlines).
func (g *gatewayConn) stale(now int64) bool {
	if d, ok := g.raw.(interface{ closedReason() error }); ok {
		// A port-forward stream cannot be peeked: it is stale when its
		// tunnel died, or after a long idle time in which the gateway may
		// have closed it (opening a new stream costs one round trip).
		return d.closedReason() != nil || now-g.used >= streamIdleLimit
	}
	if g.br.Buffered() > 0 {
		return true // bytes nobody asked for
	}
	if now-g.used < staleAfter {
		return false
	}
	return peerClosed(g.raw)
}

// closedReason lets the forwarder see that a tunnel died before reusing
// one of its streams (its reads and writes would fail with the reason).
func (c *streamConn) closedReason() error { return c.t.deadReason() }

func idempotent(method []byte) bool {
	switch string(method) {
	case "GET", "HEAD", "OPTIONS", "PUT", "DELETE":
		return true
	}
	return false
}

// bufferedConn is a client connection handed to net/http with the bytes
// the forwarder peeked still unread.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
