package testenv

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// KwokNodeAnnotation marks the Nodes kwok manages (makes Ready and runs pods
// on). Nodes without it keep whatever status a test writes.
const KwokNodeAnnotation = "kwok.x-k8s.io/node"

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (e *Env) startKwok() {
	t := e.t
	t.Helper()
	stages, err := kwokStages()
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	var cfg bytes.Buffer
	fmt.Fprintf(&cfg, `apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  manageAllNodes: false
  manageNodesWithAnnotationSelector: %s=fake
  nodeIP: 127.0.0.1
  nodePort: %d
  serverAddress: 127.0.0.1:%d
  cidr: 10.244.0.1/16
  podPlayStageParallelism: 4
  nodePlayStageParallelism: 4
  nodeLeaseParallelism: 4
  nodeLeaseDurationSeconds: 40
  podsOnNodeSyncParallelism: 4
  enablePodsOnNodeSyncListPager: true
  enablePodsOnNodeSyncStreamWatch: false
  enableDebuggingHandlers: true
  enableCRDs: [PortForward]
`, KwokNodeAnnotation, port, port)
	cfg.WriteString(e.gatewayForwards())
	for _, s := range stages {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		cfg.WriteString("---\n")
		cfg.Write(b)
	}
	cfgPath := filepath.Join(e.Dir, "kwok.yaml")
	if err := os.WriteFile(cfgPath, cfg.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(e.Dir, "kwok.log")
	done := e.startProcess("kwok", filepath.Join(BinDir(), "kwok"), []string{"--kubeconfig", e.Kubeconfig, "--config", cfgPath}, logPath)
	// kwok is ready when its kubelet server answers.
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("kwok exited: %v\n%s", err, tail(b, 3000))
		default:
		}
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("kwok did not start in 30s\n%s", tail(b, 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// gatewayForwards are kwok ClusterPortForwards sending port-forwards to the
// gateway pods' ports to where the Istio-driven gateway serves them.
func (e *Env) gatewayForwards() string {
	var b strings.Builder
	byNS := map[string][]GatewayPort{}
	var order []string
	for _, p := range e.IstioGateway.Ports {
		if byNS[p.Namespace] == nil {
			order = append(order, p.Namespace)
		}
		byNS[p.Namespace] = append(byNS[p.Namespace], p)
	}
	for _, ns := range order {
		fmt.Fprintf(&b, "---\napiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterPortForward\nmetadata:\n  name: gateway-%s\nspec:\n  selector:\n    matchNamespaces: [%s]\n  forwards:\n", ns, ns)
		for _, p := range byNS[ns] {
			host, port, _ := net.SplitHostPort(p.Addr)
			fmt.Fprintf(&b, "  - ports: [%d]\n    target: {address: %s, port: %s}\n", p.Port, host, port)
		}
	}
	return b.String()
}
