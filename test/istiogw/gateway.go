package main

import (
	"cmp"
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/client-go/dynamic"
)

// mapping says that a local address is port Port of the gateway workload in
// Namespace (the pod's port: where Envoy binds, a Service's targetPort).
type mapping struct {
	Addr      string `json:"addr"`
	Namespace string `json:"namespace"`
	Port      uint32 `json:"port"`

	ln     net.Listener
	srv    *http.Server // its connections, closed when the mapping is removed
	connMu sync.Mutex
	raw    map[net.Conn]bool
	gw     *Gateway
	open   atomic.Bool
}

func parseMapping(s string) (*mapping, error) {
	addr, rest, ok := strings.Cut(s, "=")
	ns, port, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || addr == "" || ns == "" {
		return nil, fmt.Errorf("listen %q: want ADDR=NAMESPACE:PORT", s)
	}
	var p uint32
	if _, err := fmt.Sscanf(port, "%d", &p); err != nil || p == 0 {
		return nil, fmt.Errorf("listen %q: port %q is not a number", s, port)
	}
	return &mapping{Addr: addr, Namespace: ns, Port: p}, nil
}

// state is one build: the snapshot and each gateway namespace's view.
type state struct {
	snap   *Snapshot
	views  map[string]*View // by namespace of the mapping
	errors []string
	built  time.Time
	took   time.Duration
}

// Gateway is the Istio-driven test gateway.
type Gateway struct {
	dyn      dynamic.Interface
	kinds    []kind
	upstream *url.URL

	syncMu   sync.Mutex // one sync at a time
	cur      atomic.Pointer[state]
	mapMu    sync.Mutex
	mappings []*mapping
	builds   atomic.Int64
	proxy    *httputil.ReverseProxy
}

// isGatewayPod is how the gateway finds its workload: Istio gateway pods
// (label istio, not the egress gateway) or Gateway API gateway pods.
func isGatewayPod(l map[string]string) bool {
	if l["gateway.networking.k8s.io/gateway-name"] != "" || l["istio.io/gateway-name"] != "" {
		return true
	}
	// istiod's pods are labelled istio=pilot; egress gateways are not ingress.
	v, ok := l["istio"]
	return ok && v != "pilot" && v != "istiod" && !strings.Contains(v, "egress")
}

// Sync reads the cluster and rebuilds when anything changed; it returns the
// state now served. After Sync returns, requests see every object written
// before it was called.
func (g *Gateway) Sync(ctx context.Context) (*state, error) {
	g.syncMu.Lock()
	defer g.syncMu.Unlock()
	snap, err := load(ctx, g.dyn, g.kinds)
	if err != nil {
		return g.cur.Load(), err
	}
	if cur := g.cur.Load(); cur != nil && cur.snap.Fingerprint == snap.Fingerprint {
		return cur, nil
	}
	start := time.Now()
	st := &state{snap: snap, views: map[string]*View{}, built: start}
	cfg, err1 := snap.configYAML(g.kinds)
	kube, err2 := snap.kubeYAML(g.kinds)
	if err := cmp.Or(err1, err2); err != nil {
		return g.cur.Load(), err
	}
	proxies := map[string]Proxy{}
	for _, m := range g.snapshotMappings() {
		if labels := snap.gatewayPod(m.Namespace, isGatewayPod); labels != nil {
			proxies[m.Namespace] = Proxy{Namespace: m.Namespace, Labels: labels}
		}
	}
	var list []Proxy
	for _, p := range proxies {
		list = append(list, p)
	}
	views, err := computeViews(cfg, kube, list)
	if err != nil {
		st.errors = append(st.errors, err.Error())
		log.Printf("build failed: %v", err)
	}
	for ns, p := range proxies {
		if v := views[p.key()]; v != nil {
			st.views[ns] = v
		}
	}
	st.took = time.Since(start)
	g.cur.Store(st)
	g.builds.Add(1)
	g.reconcile(st)
	return st, nil
}

func (g *Gateway) snapshotMappings() []*mapping {
	g.mapMu.Lock()
	defer g.mapMu.Unlock()
	return append([]*mapping(nil), g.mappings...)
}

// AddMapping adds a local address for a gateway port and opens it when
// Istio has a listener there.
func (g *Gateway) AddMapping(m *mapping) {
	m.gw = g
	g.mapMu.Lock()
	g.mappings = append(g.mappings, m)
	g.mapMu.Unlock()
	st := g.cur.Load()
	if st == nil {
		return
	}
	if _, known := st.views[m.Namespace]; !known {
		// A namespace no build made a view for: build again.
		g.syncMu.Lock()
		st.snap.Fingerprint = ""
		g.syncMu.Unlock()
		if _, err := g.Sync(context.Background()); err != nil {
			log.Printf("sync for %s: %v", m.Addr, err)
		}
		return
	}
	g.reconcile(st)
}

// RemoveMapping stops serving addr (the gateway goes down there).
func (g *Gateway) RemoveMapping(addr string) bool {
	g.mapMu.Lock()
	defer g.mapMu.Unlock()
	for i, m := range g.mappings {
		if m.Addr == addr {
			if m.ln != nil {
				m.ln.Close()
				m.ln = nil
			}
			m.closeAll()
			if m.srv != nil {
				m.srv.Close()
			}
			m.open.Store(false)
			g.mappings = append(g.mappings[:i], g.mappings[i+1:]...)
			return true
		}
	}
	return false
}

// reconcile opens the addresses whose port has an Envoy listener and closes
// the others: a port without a listener refuses connections, as Envoy's.
func (g *Gateway) reconcile(st *state) {
	g.mapMu.Lock()
	defer g.mapMu.Unlock()
	for _, m := range g.mappings {
		v := st.views[m.Namespace]
		want := v != nil && v.Listeners[m.Port] != nil
		switch {
		case want && m.ln == nil:
			ln, err := net.Listen("tcp", m.Addr)
			if err != nil {
				log.Printf("cannot listen on %s for %s:%d: %v", m.Addr, m.Namespace, m.Port, err)
				continue
			}
			m.ln = ln
			m.open.Store(true)
			go m.serve(ln)
		case !want && m.ln != nil:
			m.ln.Close()
			m.ln = nil
			m.open.Store(false)
		}
	}
}
