package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
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

// credential reads an SDS name "kubernetes://[NS/]NAME" (Istio's for a
// credentialName) or "kubernetes-gateway://NS/NAME" (for a Gateway API
// listener's certificateRef) as the Secret it stands for; the namespace
// defaults to the gateway workload's.
func credential(sds, workloadNS string) (ns, name string, ok bool) {
	rest, ok := strings.CutPrefix(sds, "kubernetes://")
	if !ok {
		rest, ok = strings.CutPrefix(sds, "kubernetes-gateway://")
	}
	if !ok {
		return "", "", false
	}
	rest = strings.TrimSuffix(rest, "-cacert")
	if n, nm, found := strings.Cut(rest, "/"); found {
		return n, nm, true
	}
	return workloadNS, rest, true
}

// forwarding is what the proxy needs of a request Envoy forwards: Istio's
// decision, the connection manager's headers, when it was received.
type forwarding struct {
	d     *Decision
	hdrs  envoyHeaders
	start time.Time
}

func (m *mapping) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info, _ := r.Context().Value(ctxKey{}).(*connInfo)
	st := m.gw.cur.Load()
	v := st.views[m.key()]
	var l *listener.Listener
	if v != nil {
		l = v.Listeners[m.Port]
	}
	if info == nil || l == nil {
		headersOf(nil).reply(w, Decision{Status: 503, Reason: "listener_removed"})
		return
	}
	fc := info.chain
	for _, c := range l.GetFilterChains() { // the chain as it is now (routes update live)
		if c.GetName() == fc.GetName() && c.GetName() != "" {
			fc = c
		}
	}
	h := HCM(fc)
	hdrs := headersOf(h)
	d := Decide(v, l, fc, Request{Host: r.Host, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header, TLS: info.tls})
	if d.Status != 0 {
		hdrs.reply(w, d)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), decisionKey{}, &forwarding{d: &d, hdrs: hdrs, start: time.Now()}))
	r.Header.Set(HeaderSNI, info.sni)
	r.Header.Set(HeaderVia, m.Addr)
	r.Header.Set(HeaderDownstream, r.RemoteAddr)
	if h.GetUseRemoteAddress().GetValue() {
		// Envoy appends the downstream address to X-Forwarded-For.
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if prior := r.Header.Get("X-Forwarded-For"); prior != "" {
			host = prior + "," + host
		}
		r.Header.Set(HeaderXFF, host)
	}
	m.gw.proxy.ServeHTTP(w, r)
}

// newProxy forwards to the upstream stand-in what Istio sent to a cluster,
// with the path after rewrites.
func (g *Gateway) newProxy() *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			d := pr.In.Context().Value(decisionKey{}).(*forwarding).d
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
			f := r.Context().Value(decisionKey{}).(*forwarding)
			d := *f.d
			d.Status, d.Reason = 503, "upstream_connect_error"
			log.Printf("upstream of %s: %v", d.Cluster, err)
			f.hdrs.reply(w, d)
		},
		ModifyResponse: func(resp *http.Response) error {
			f, ok := resp.Request.Context().Value(decisionKey{}).(*forwarding)
			if !ok {
				return nil
			}
			f.hdrs.forwarded(resp.Header, time.Since(f.start))
			// What Istio decided, for tests that compare it with explain.
			b, _ := json.Marshal(f.d)
			resp.Header.Set("X-Istiogw-Decision", string(b))
			return nil
		},
	}
}
