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
	"k8s.io/client-go/metadata"
)

// mapping says that a local address is port Port of a gateway workload
// (the pod's port: where Envoy binds, a Service's targetPort): the Istio
// gateway pods in Namespace when Gateway is empty, else the pods Istio
// deploys for the Gateway API Gateway of that name in Namespace (label
// gateway.networking.k8s.io/gateway-name), a proxy of its own.
type mapping struct {
	Addr      string `json:"addr"`
	Namespace string `json:"namespace"`
	Gateway   string `json:"gateway,omitempty"`
	Port      uint32 `json:"port"`

	ln     net.Listener
	res    *reservation // the address while not served (ln nil)
	srv    *http.Server // its connections, closed when the mapping is removed
	connMu sync.Mutex
	raw    map[net.Conn]bool
	gw     *Gateway
	open   atomic.Bool
}

// parseMapping reads ADDR=NAMESPACE:PORT (the Istio gateway pods of
// NAMESPACE) or ADDR=NAMESPACE/GATEWAY:PORT (a Gateway API Gateway's pods).
func parseMapping(s string) (*mapping, error) {
	addr, rest, ok := strings.Cut(s, "=")
	ns, port, ok2 := strings.Cut(rest, ":")
	ns, gw, named := strings.Cut(ns, "/")
	if !ok || !ok2 || addr == "" || ns == "" || (named && gw == "") {
		return nil, fmt.Errorf("listen %q: want ADDR=NAMESPACE:PORT or ADDR=NAMESPACE/GATEWAY:PORT", s)
	}
	var p uint32
	if _, err := fmt.Sscanf(port, "%d", &p); err != nil || p == 0 {
		return nil, fmt.Errorf("listen %q: port %q is not a number", s, port)
	}
	return &mapping{Addr: addr, Namespace: ns, Gateway: gw, Port: p}, nil
}

// key names the proxy of the mapping: NAMESPACE or NAMESPACE/GATEWAY.
func (m *mapping) key() string {
	if m.Gateway == "" {
		return m.Namespace
	}
	return m.Namespace + "/" + m.Gateway
}

// selects says whether a pod with labels l is the mapping's workload.
func (m *mapping) selects(l map[string]string) bool {
	if m.Gateway != "" {
		return l[gatewayNameLabel] == m.Gateway
	}
	return isGatewayPod(l)
}

// state is one build: the snapshot and each gateway namespace's view.
type state struct {
	snap   *Snapshot
	views  map[string]*View // by mapping key (NAMESPACE or NAMESPACE/GATEWAY)
	status []Status         // what Istio's gateway controller would write
	errors []string
	built  time.Time
	took   time.Duration
}

// Gateway is the Istio-driven test gateway.
type Gateway struct {
	dyn      dynamic.Interface
	meta     metadata.Interface
	kinds    []kind
	upstream *url.URL

	syncMu   sync.Mutex // one sync at a time
	cur      atomic.Pointer[state]
	mapMu    sync.Mutex
	mappings []*mapping
	builds   atomic.Int64
	proxy    *httputil.ReverseProxy
	// delay is how long a new build waits before it is served (istiod's
	// push delay: POST /delay); 0 serves it at once.
	delay atomic.Int64
}

// gatewayNameLabel marks the pods of a Gateway API Gateway.
const gatewayNameLabel = "gateway.networking.k8s.io/gateway-name"

// isGatewayPod is how a namespace's mapping finds its workload: Istio
// gateway pods (label istio, not the egress gateway). The pods of a Gateway
// API Gateway are another proxy, reached by the mapping naming it.
func isGatewayPod(l map[string]string) bool {
	if l[gatewayNameLabel] != "" || l["istio.io/gateway-name"] != "" {
		return false
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
	snap, err := load(ctx, g.dyn, g.meta, g.kinds)
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
		if labels := snap.gatewayPod(m.Namespace, m.selects); labels != nil {
			proxies[m.key()] = Proxy{Namespace: m.Namespace, Labels: labels}
		}
	}
	var list []Proxy
	for _, p := range proxies {
		list = append(list, p)
	}
	views, statuses, err := computeViews(cfg, kube, snap.crdAnnotations, list)
	if err != nil {
		st.errors = append(st.errors, err.Error())
		log.Printf("build failed: %v", err)
	}
	for key, p := range proxies {
		if v := views[p.key()]; v != nil {
			st.views[key] = v
		}
	}
	st.status = statuses
	st.took = time.Since(start)
	if d := time.Duration(g.delay.Load()); d > 0 && g.cur.Load() != nil {
		// The old configuration keeps answering meanwhile, as an Envoy
		// does until istiod's push reaches it.
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return g.cur.Load(), ctx.Err()
		}
	}
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
	m.hold()
	g.mapMu.Lock()
	g.mappings = append(g.mappings, m)
	g.mapMu.Unlock()
	st := g.cur.Load()
	if st == nil {
		return
	}
	if _, known := st.views[m.key()]; !known {
		// A proxy no build made a view for: build again.
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
			m.res.release()
			m.res = nil
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
		v := st.views[m.key()]
		want := v != nil && (v.Listeners[m.Port] != nil || m.Port == AdminPort)
		switch {
		case want && m.ln == nil:
			ln, err := m.listen()
			if err != nil {
				log.Printf("cannot listen on %s for %s:%d: %v", m.Addr, m.key(), m.Port, err)
				continue
			}
			m.ln = ln
			m.open.Store(true)
			if m.Port == AdminPort {
				go m.serveAdmin(ln)
			} else {
				go m.serve(ln)
			}
		case !want && m.ln != nil:
			m.ln.Close()
			m.ln = nil
			m.open.Store(false)
			m.hold()
		}
	}
}

// hold reserves the mapping's address while it is not served (see
// reservation); failing to, the address is only bound when served.
func (m *mapping) hold() {
	if m.res != nil {
		return
	}
	r, err := reserve(m.Addr)
	if err != nil {
		log.Printf("cannot reserve %s for %s:%d: %v", m.Addr, m.key(), m.Port, err)
		return
	}
	m.res = r
}

// listen serves the mapping's address, from its reservation when held.
func (m *mapping) listen() (net.Listener, error) {
	if m.res == nil {
		return net.Listen("tcp", m.Addr)
	}
	r := m.res
	m.res = nil
	return r.listen()
}
