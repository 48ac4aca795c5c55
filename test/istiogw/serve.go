package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"time"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
)

// Headers the gateway adds to what it forwards, so that the upstream
// stand-in can tell what Istio decided.
const (
	HeaderCluster     = "X-Istiogw-Cluster"
	HeaderRoute       = "X-Istiogw-Route"
	HeaderVirtualHost = "X-Istiogw-Virtual-Host"
	HeaderListener    = "X-Istiogw-Listener"
	HeaderSNI         = "X-Istiogw-Sni"
	HeaderVia         = "X-Istiogw-Via"        // the local address the client reached
	HeaderDownstream  = "X-Istiogw-Downstream" // the client's address, as the gateway saw it
	HeaderXFF         = "X-Istiogw-Forwarded-For"
)

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
	v := st.views[m.Namespace]
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

// credential reads an SDS name "kubernetes://[NS/]NAME" (Istio's for a
// credentialName) as the Secret it stands for; the namespace defaults to
// the gateway workload's.
func credential(sds, workloadNS string) (ns, name string, ok bool) {
	rest, ok := strings.CutPrefix(sds, "kubernetes://")
	if !ok {
		return "", "", false
	}
	rest = strings.TrimSuffix(rest, "-cacert")
	if n, nm, found := strings.Cut(rest, "/"); found {
		return n, nm, true
	}
	return workloadNS, rest, true
}

func (m *mapping) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info, _ := r.Context().Value(ctxKey{}).(*connInfo)
	st := m.gw.cur.Load()
	v := st.views[m.Namespace]
	var l *listener.Listener
	if v != nil {
		l = v.Listeners[m.Port]
	}
	if info == nil || l == nil {
		reply(w, Decision{Status: 503, Reason: "listener_removed"})
		return
	}
	fc := info.chain
	for _, c := range l.GetFilterChains() { // the chain as it is now (routes update live)
		if c.GetName() == fc.GetName() && c.GetName() != "" {
			fc = c
		}
	}
	d := Decide(v, l, fc, Request{Host: r.Host, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header, TLS: info.tls})
	if d.Status != 0 {
		reply(w, d)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), decisionKey{}, &d))
	r.Header.Set(HeaderSNI, info.sni)
	r.Header.Set(HeaderVia, m.Addr)
	r.Header.Set(HeaderDownstream, r.RemoteAddr)
	if h := HCM(fc); h.GetUseRemoteAddress().GetValue() {
		// Envoy appends the downstream address to X-Forwarded-For.
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if prior := r.Header.Get("X-Forwarded-For"); prior != "" {
			host = prior + "," + host
		}
		r.Header.Set(HeaderXFF, host)
	}
	m.gw.proxy.ServeHTTP(w, r)
}

// reply is Envoy answering itself: a 404 for route_not_found, a redirect, a
// direct response, a 503. The body names the reason; the decision is in a
// header for tests.
func reply(w http.ResponseWriter, d Decision) {
	b, _ := json.Marshal(d)
	w.Header().Set("X-Istiogw-Decision", string(b))
	w.Header().Set("Server", "istio-envoy")
	if d.Location != "" {
		w.Header().Set("Location", d.Location)
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(d.Status)
	if d.Body != "" {
		fmt.Fprint(w, d.Body)
		return
	}
	fmt.Fprintln(w, d.Reason)
}

// newProxy forwards to the upstream stand-in what Istio sent to a cluster,
// with the path after rewrites.
func (g *Gateway) newProxy() *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			d := pr.In.Context().Value(decisionKey{}).(*Decision)
			path, q, _ := strings.Cut(d.Path, "?")
			pr.Out.URL.Scheme, pr.Out.URL.Host = g.upstream.Scheme, g.upstream.Host
			pr.Out.URL.Path, pr.Out.URL.RawPath, pr.Out.URL.RawQuery = path, "", q
			pr.Out.Host = d.Host
			if path != pr.In.URL.Path {
				pr.Out.Header.Set("X-Envoy-Original-Path", pr.In.URL.RequestURI())
			}
			proto := "http"
			if pr.In.TLS != nil {
				proto = "https"
			}
			pr.Out.Header.Set("X-Forwarded-Proto", proto)
			// ReverseProxy drops the X-Forwarded-* headers; Envoy keeps them.
			if xfh := pr.In.Header.Get("X-Forwarded-Host"); xfh != "" {
				pr.Out.Header.Set("X-Forwarded-Host", xfh)
			}
			if xff := pr.In.Header.Get(HeaderXFF); xff != "" {
				pr.Out.Header.Set("X-Forwarded-For", xff)
			} else if xff := pr.In.Header.Get("X-Forwarded-For"); xff != "" {
				pr.Out.Header.Set("X-Forwarded-For", xff)
			}
			pr.Out.Header.Del(HeaderXFF)
			pr.Out.Header.Set(HeaderCluster, d.Cluster)
			pr.Out.Header.Set(HeaderRoute, d.Route)
			pr.Out.Header.Set(HeaderVirtualHost, d.VirtualHost)
			pr.Out.Header.Set(HeaderListener, d.Listener)
		},
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, context.Canceled) {
				return
			}
			reply(w, Decision{Status: 503, Reason: "upstream_connect_error: " + err.Error()})
		},
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Set("Server", "istio-envoy")
			return nil
		},
	}
}
