package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// GatewayPort is one port of a gateway workload that the Istio-driven
// gateway serves at Addr (kwok's port-forwards to that pod port land there).
type GatewayPort struct {
	Namespace string
	Port      int
	Addr      string
}

// IstioGateway is the test ingress gateway: bin/istiogw, a process in which
// Istio's own control-plane code computes the Envoy listeners and routes of
// each gateway workload from the cluster's objects, and which answers on
// the gateway's ports as that Envoy would, sending what Istio routes to a
// cluster on to the Upstream recorder.
type IstioGateway struct {
	admin string
	Ports []GatewayPort
	env   *Env
}

// gatewayPorts are the gateway pod ports the test environment forwards:
// the istio-ingressgateway pods of istioctl's install (8080, 8443, and 80,
// 443 should a test give the pod those) and those of the Helm chart
// (namespace istio-ingress, ports 80 and 443), and Envoy's admin port.
var gatewayPorts = []GatewayPort{
	{Namespace: IstioNamespace, Port: 8080}, {Namespace: IstioNamespace, Port: 8443},
	{Namespace: IstioNamespace, Port: 80}, {Namespace: IstioNamespace, Port: 443},
	{Namespace: IstioNamespace, Port: AdminPort},
	{Namespace: HelmGatewayNamespace, Port: 80}, {Namespace: HelmGatewayNamespace, Port: 443},
	{Namespace: HelmGatewayNamespace, Port: AdminPort},
}

// AdminPort is Envoy's admin port in a gateway pod: the test gateway
// serves the workload's /config_dump there.
const AdminPort = 15000

// IstioGatewayBinary is bin/istiogw, built by `make tools`.
func IstioGatewayBinary() string { return filepath.Join(BinDir(), "istiogw") }

func (e *Env) startIstioGateway() {
	t := e.t
	t.Helper()
	bin := IstioGatewayBinary()
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("Istio-driven gateway not built: %s missing (run `make tools`)", bin)
	}
	g := &IstioGateway{env: e}
	adminFile := filepath.Join(e.Dir, "istiogw.addr")
	args := []string{"--kubeconfig", e.Kubeconfig, "--upstream", e.Upstream.Server.URL,
		"--admin-file", adminFile}
	for _, p := range gatewayPorts {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		p.Addr = fmt.Sprintf("127.0.0.1:%d", port)
		g.Ports = append(g.Ports, p)
		args = append(args, "--listen", fmt.Sprintf("%s=%s:%d", p.Addr, p.Namespace, p.Port))
	}
	logPath := filepath.Join(e.Dir, "istiogw.log")
	done := e.startProcess("istiogw", bin, args, logPath)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b, err := os.ReadFile(adminFile); err == nil {
			g.admin = "http://" + strings.TrimSpace(string(b))
			break
		}
		select {
		case err := <-done:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("istiogw exited: %v\n%s", err, tail(b, 3000))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("istiogw did not start in 60s\n%s", tail(b, 3000))
		}
	}
	e.IstioGateway = g
}

// PortAddr is where the gateway serves port of the gateway pod in ns.
func (g *IstioGateway) PortAddr(ns string, port int) string {
	for _, p := range g.Ports {
		if p.Namespace == ns && p.Port == port {
			return p.Addr
		}
	}
	g.env.t.Fatalf("the test gateway does not serve %s:%d", ns, port)
	return ""
}

// SyncResult is what the gateway reports after a sync.
type SyncResult struct {
	Build     int64               `json:"build"`
	BuildTook string              `json:"buildTook"`
	Errors    []string            `json:"errors"`
	Open      map[string]bool     `json:"open"`
	Listeners map[string][]uint32 `json:"listeners"`
}

// Sync makes the gateway read the cluster now and rebuild if anything
// changed; requests sent after it see every object written before. It
// first plays Istio's Gateway API deployment controller (the Service and
// pod of each Gateway of class istio, gwdeploy.go) and last istiod's
// status writer (the status Istio computed, written to the objects'
// status subresources, gwstatus.go), so that status read after Sync is
// Istio's verdict on the objects written before. Istio failing to take
// the objects fails the test.
func (g *IstioGateway) Sync() SyncResult {
	g.env.t.Helper()
	if err := g.env.gw.reconcile(g.env.Ctx()); err != nil {
		g.env.t.Fatalf("Istio's deployment controller (test env): %v", err)
	}
	var res SyncResult
	g.get("/sync", &res)
	if len(res.Errors) > 0 {
		g.env.t.Fatalf("Istio's control plane failed on the cluster's objects: %s", strings.Join(res.Errors, "; "))
	}
	if err := g.writeStatus(g.env.Ctx()); err != nil {
		g.env.t.Fatalf("writing Istio's status: %v", err)
	}
	return res
}

// sync is Sync returning what went wrong instead of failing the test (for
// callers that may run inside a subtest of the environment's test).
func (g *IstioGateway) sync() error {
	ctx := context.Background()
	if err := g.env.gw.reconcile(ctx); err != nil {
		return fmt.Errorf("Istio's deployment controller (test env): %w", err)
	}
	resp, err := http.Get(g.admin + "/sync")
	if err != nil {
		return fmt.Errorf("istiogw sync: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var res SyncResult
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &res) != nil {
		return fmt.Errorf("istiogw sync: %s: %s", resp.Status, b)
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("Istio's control plane failed on the cluster's objects: %s", strings.Join(res.Errors, "; "))
	}
	return g.writeStatus(ctx)
}

// SetDelay makes every later change of the cluster reach the gateway
// only d after its build (istiod's push delay); 0 ends it. Sync waits
// the delay too.
func (g *IstioGateway) SetDelay(d time.Duration) {
	g.env.t.Helper()
	resp, err := http.PostForm(g.admin+"/delay", url.Values{"d": {d.String()}})
	if err != nil {
		g.env.t.Fatalf("istiogw delay: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		g.env.t.Fatalf("istiogw delay: %s: %s", resp.Status, b)
	}
}

// Listen serves port of the Istio gateway pod in ns at addr too (a
// NodePort or a load balancer address, as kube-proxy would).
func (g *IstioGateway) Listen(addr, ns string, port int) {
	g.env.t.Helper()
	if err := g.listen(addr, ns, port); err != nil {
		g.env.t.Fatal(err)
	}
}

// ListenGateway serves port of the pod Istio deployed for the Gateway API
// Gateway ns/name at addr too (its Service's NodePort or load balancer
// address, as kube-proxy would).
func (g *IstioGateway) ListenGateway(addr, ns, name string, port int) {
	g.env.t.Helper()
	if err := g.listen(addr, ns+"/"+name, port); err != nil {
		g.env.t.Fatal(err)
	}
}

// listen adds the mapping addr=proxy:port, proxy being NAMESPACE or
// NAMESPACE/GATEWAY.
func (g *IstioGateway) listen(addr, proxy string, port int) error {
	resp, err := http.PostForm(g.admin+"/listen", url.Values{"mapping": {fmt.Sprintf("%s=%s:%d", addr, proxy, port)}})
	if err != nil {
		return fmt.Errorf("istiogw listen: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("istiogw listen %s: %s", addr, b)
	}
	return nil
}

// unlisten removes the mapping at addr.
func (g *IstioGateway) unlisten(addr string) error {
	resp, err := http.PostForm(g.admin+"/unlisten", url.Values{"addr": {addr}})
	if err != nil {
		return fmt.Errorf("istiogw unlisten: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("istiogw unlisten %s: %s", addr, b)
	}
	return nil
}

// Unlisten stops serving addr: the gateway is down there (connections are
// refused) until Listen is called again.
func (g *IstioGateway) Unlisten(addr string) {
	g.env.t.Helper()
	resp, err := http.PostForm(g.admin+"/unlisten", url.Values{"addr": {addr}})
	if err != nil {
		g.env.t.Fatalf("istiogw unlisten: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		g.env.t.Fatalf("istiogw unlisten %s: %s", addr, b)
	}
}

// Message is one finding of Istio's analyzers.
type Message struct {
	Code      string `json:"code"`
	Level     string `json:"level"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Text      string `json:"text"`
}

// Analyze runs the analyzers of `istioctl analyze` over the cluster's
// objects.
func (g *IstioGateway) Analyze() []Message {
	g.env.t.Helper()
	var msgs []Message
	g.get("/analyze", &msgs)
	return msgs
}

// analyze is Analyze returning what went wrong instead of failing.
func (g *IstioGateway) analyze() ([]Message, error) {
	resp, err := http.Get(g.admin + "/analyze")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", resp.Status, b)
	}
	var msgs []Message
	return msgs, json.Unmarshal(b, &msgs)
}

// Routes is the gateway's summary of the Envoy routes Istio generated.
func (g *IstioGateway) Routes() string {
	g.env.t.Helper()
	var v any
	g.get("/routes", &v)
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func (g *IstioGateway) get(path string, into any) {
	g.env.t.Helper()
	resp, err := http.Get(g.admin + path)
	if err != nil {
		g.env.t.Fatalf("istiogw %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		g.env.t.Fatalf("istiogw %s: %s: %s", path, resp.Status, b)
	}
	if err := json.Unmarshal(b, into); err != nil {
		g.env.t.Fatalf("istiogw %s: %v: %s", path, err, b)
	}
}
