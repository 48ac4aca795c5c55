package main

import (
	"fmt"
	"os/exec"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// gatewayAPI is the demo's Kubernetes Gateway API act: the same expose,
// written as a Gateway of class istio and an HTTPRoute, which Istio (the
// test environment playing its deployment controller and status writer,
// pilot routing) deploys, accepts and routes; then url and proxy find it.
func (d *demo) gatewayAPI() {
	d.say("9. The Kubernetes Gateway API: a Gateway of class istio and an HTTPRoute, deployed, accepted and routed by Istio")
	d.env.CreateApp(testenv.App{Name: "flaskapp", Namespace: "shop"})
	d.runSyncing("expose-gw", "-n", "shop", "flaskapp", "--api", "gateway-api", "--prefix", "/env", "--wait", "60s")
	d.must("-n", "shop", "get", "gateways.gateway.networking.k8s.io,httproutes.gateway.networking.k8s.io")
	d.must("-n", "shop", "get", "httproute", "flaskapp-any", "-o",
		`jsonpath={range .status.parents[*].conditions[*]}{.type}={.status} {.reason}{"\n"}{end}`)
	d.must("expose-gw", "list", "-A")

	// kube-proxy's part: the NodePort of the Service Istio deployed, on
	// node-1 (127.0.0.1), reaches the Gateway's pod.
	svc, err := d.env.Kube.CoreV1().Services("shop").Get(d.r.Context(), "expose-gw-istio", metav1.GetOptions{})
	if err != nil {
		d.r.Fatalf("the Service Istio deploys for the Gateway: %v", err)
	}
	for _, p := range svc.Spec.Ports {
		if p.Name == "http" && p.NodePort != 0 {
			d.env.IstioGateway.ListenGateway(fmt.Sprintf("127.0.0.1:%d", p.NodePort), "shop", "expose-gw", 80)
			d.must("expose-gw", "-n", "shop", "url", "flaskapp")
			d.must("expose-gw", "-n", "shop", "url", "--api", "gateway-api", "-o", "env")
			fmt.Fprintln(d.out)
			for _, path := range []string{"/env/version", "/envoy"} {
				d.curlAt(fmt.Sprintf("127.0.0.1:%d", p.NodePort), "", path)
			}
		}
	}
	d.proxyAndCurl("shop", "direct")
	d.must("expose-gw", "-n", "shop", "delete", "flaskapp")
}

// runSyncing is must with Istio at work while the command runs (expose
// --wait reads the verdict Istio writes meanwhile).
func (d *demo) runSyncing(args ...string) {
	fmt.Fprintf(d.out, "\n$ kubectl %s\n", quote(args))
	r := d.env.KubectlSyncing(300*time.Millisecond, nil, args...)
	fmt.Fprint(d.out, r.Stdout, r.Stderr)
	if r.ExitCode != 0 {
		d.r.Fatalf("`kubectl %s` exited %d", quote(args), r.ExitCode)
	}
}

// curlAt sends path (with a Host header unless host is "") to addr and
// says where Istio sent it, or what it answered.
func (d *demo) curlAt(addr, host, path string) {
	before := len(d.env.Upstream.Requests())
	url := "http://" + addr + path
	args := []string{"-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", url}
	shown := "curl -s -o /dev/null -w '%{http_code}' " + url
	if host != "" {
		args = append(args, "-H", "Host: "+host)
		shown = fmt.Sprintf("curl -s -o /dev/null -w '%%{http_code}' -H 'Host: %s' %s", host, url)
	}
	fmt.Fprintf(d.out, "$ %s\n", shown)
	code, err := exec.CommandContext(d.r.Context(), "curl", args...).Output()
	if err != nil {
		d.r.Fatalf("curl %s: %v", url, err)
	}
	reqs := d.env.Upstream.Requests()
	if len(reqs) == before {
		fmt.Fprintf(d.out, "  Istio: %s -> %s (no route)\n", path, code)
		return
	}
	got := reqs[len(reqs)-1]
	fmt.Fprintf(d.out, "  Istio: %s -> %s, received as %s\n", path, got.Cluster, got.Path)
}
