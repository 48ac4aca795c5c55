package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
)

// How the gateway accepts connections: it reads what each one starts
// with (TLS or not, which SNI), picks the filter chain, and hands the
// connection to an http.Server; it tracks them to reset them when a port
// closes.

type connInfo struct {
	chain *listener.FilterChain
	tls   bool
	sni   string
}

type ctxKey struct{}
type decisionKey struct{}

var conns sync.Map // net.Conn -> *connInfo, until ConnContext takes it

// chanListener hands connections the gateway accepted (and maybe
// terminated TLS on) to an http.Server.
type chanListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func (c *chanListener) Accept() (net.Conn, error) {
	select {
	case conn := <-c.ch:
		return conn, nil
	case <-c.done:
		return nil, net.ErrClosed
	}
}
func (c *chanListener) Close() error   { c.once.Do(func() { close(c.done) }); return nil }
func (c *chanListener) Addr() net.Addr { return c.addr }

type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (p *peekedConn) Read(b []byte) (int, error) { return p.r.Read(b) }

func (m *mapping) serve(ln net.Listener) {
	cl := &chanListener{addr: ln.Addr(), ch: make(chan net.Conn), done: make(chan struct{})}
	srv := &http.Server{
		Handler:           m,
		ReadHeaderTimeout: 30 * time.Second,
		ConnState: func(c net.Conn, st http.ConnState) {
			if st == http.StateClosed {
				m.untrack(c)
			}
		},
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if info, ok := conns.LoadAndDelete(c); ok {
				return context.WithValue(ctx, ctxKey{}, info)
			}
			return ctx
		},
		ErrorLog: log.New(logWriter{}, "", 0),
	}
	m.gw.mapMu.Lock()
	m.srv = srv
	m.gw.mapMu.Unlock()
	go func() { _ = srv.Serve(cl) }()
	defer cl.Close()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		m.track(c, true)
		go func() {
			m.accept(c, cl)
		}()
	}
}

// track keeps the raw connections of the mapping, so that removing it
// closes them all (an http.Server forgets hijacked and handed-over ones).
func (m *mapping) track(c net.Conn, add bool) {
	m.connMu.Lock()
	defer m.connMu.Unlock()
	if m.raw == nil {
		m.raw = map[net.Conn]bool{}
	}
	if add {
		m.raw[c] = true
	} else {
		delete(m.raw, c)
	}
}

// untrack forgets the raw connection under c (a peekedConn, maybe inside
// a tls.Conn).
func (m *mapping) untrack(c net.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if pc, ok := c.(*peekedConn); ok {
		c = pc.Conn
	}
	m.track(c, false)
}

func (m *mapping) closeAll() {
	m.connMu.Lock()
	defer m.connMu.Unlock()
	for c := range m.raw {
		// As when the gateway process dies with requests in flight: the
		// peer sees a reset, not an orderly close.
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		c.Close()
	}
	m.raw = nil
}

type logWriter struct{}

func (logWriter) Write(b []byte) (int, error) {
	log.Print(strings.TrimSpace(string(b)))
	return len(b), nil
}

// accept picks the filter chain of a new connection as Envoy would: TLS is
// told by the first byte (Envoy's TLS inspector), the chain by SNI.
func (m *mapping) accept(c net.Conn, cl *chanListener) {
	st := m.gw.cur.Load()
	v := st.views[m.key()]
	if v == nil || v.Listeners[m.Port] == nil {
		c.Close()
		m.track(c, false)
		return
	}
	l := v.Listeners[m.Port]
	br := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	first, err := br.Peek(1)
	_ = c.SetReadDeadline(time.Time{})
	if err != nil {
		c.Close()
		m.track(c, false)
		return
	}
	pc := &peekedConn{Conn: c, r: br}
	if first[0] != 0x16 { // not a TLS handshake
		fc := ChooseChain(l, false, "")
		if fc == nil {
			c.Close()
			m.track(c, false)
			return
		}
		conns.Store(net.Conn(pc), &connInfo{chain: fc})
		m.hand(pc, cl)
		return
	}
	info := &connInfo{tls: true}
	tc := tls.Server(pc, &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		fc := ChooseChain(l, true, h.ServerName)
		if fc == nil {
			return nil, fmt.Errorf("no filter chain for SNI %q", h.ServerName)
		}
		var certs []tls.Certificate
		for _, cred := range Credentials(fc) {
			ns, name, ok := credential(cred, m.Namespace)
			if !ok {
				continue
			}
			cert, err := st.snap.certificate(ns, name)
			if err != nil {
				return nil, fmt.Errorf("credential %s: %w", cred, err)
			}
			certs = append(certs, *cert)
		}
		if len(certs) == 0 {
			return nil, fmt.Errorf("filter chain %s has no credential", fc.GetName())
		}
		info.chain, info.sni = fc, h.ServerName
		return &tls.Config{Certificates: certs, NextProtos: []string{"http/1.1"}}, nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		log.Printf("%s: TLS handshake: %v", m.Addr, err)
		c.Close()
		m.track(c, false)
		return
	}
	conns.Store(net.Conn(tc), info)
	m.hand(tc, cl)
}

func (m *mapping) hand(c net.Conn, cl *chanListener) {
	select {
	case cl.ch <- c:
	case <-cl.done:
		conns.Delete(c)
		c.Close()
		m.untrack(c)
	}
}
