package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

type demo struct {
	r        *testenv.Runner
	out      io.Writer
	env      *testenv.Env
	kubectl  string
	nodePort int
	// httpsNodePort is the gateway Service's https nodePort (to 8443).
	httpsNodePort int
}

func free(addr string) bool {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// pickPort returns want when 127.0.0.1:want is free, else a free port
// within [lo, hi].
func pickPort(want, lo, hi int) int {
	if free(fmt.Sprintf("127.0.0.1:%d", want)) {
		return want
	}
	for p := lo; p <= hi; p++ {
		if free(fmt.Sprintf("127.0.0.1:%d", p)) {
			return p
		}
	}
	return 0
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.out, "\n### "+format+"\n", args...)
}

func (d *demo) steps() {
	d.say("Starting the sandbox: kube-apiserver + etcd (real), the Istio CRDs, kwok, and a gateway routed by Istio's own control plane (pilot, in-process)")
	nodePort := pickPort(31380, 30000, 32767)
	if nodePort == 0 {
		d.r.Fatalf("no free port in the NodePort range 30000-32767 on 127.0.0.1")
	}
	// The Istio-driven gateway listens on the NodePort of node-1
	// (127.0.0.1), as kube-proxy would forward it; port-forwards to the
	// gateway pod's 8080 reach it too.
	d.env = testenv.Start(d.r, testenv.Options{Kwok: true})
	d.env.IstioGateway.Listen(fmt.Sprintf("127.0.0.1:%d", nodePort), testenv.IstioNamespace, 8080)
	d.kubectl = testenv.KubectlPath()
	d.httpsNodePort = pickPort(31390, 30000, 32767)
	d.env.SeedWorld(testenv.WorldOptions{HTTPNodePort: int32(nodePort), HTTPSNodePort: int32(d.httpsNodePort),
		Apps: []testenv.App{{Name: "flaskapp"}, {Name: "web"}, {Name: "docs"},
			{Name: "api", Ports: []corev1.ServicePort{{Name: "http", Port: 8080, TargetPort: intstr.FromInt32(9000)}}}}})
	d.nodePort = nodePort
	fmt.Fprintf(d.out, "sandbox up: istio-system/istio-ingressgateway (NodePort http2 %d), node-1 (127.0.0.1), a Running gateway pod, default/flaskapp, web, docs and api\n", nodePort)

	d.say("1. Expose flaskapp under /env")
	d.must("expose-gw", "flaskapp", "--prefix", "/env")
	d.must("get", "gateways.networking.istio.io,virtualservices.networking.istio.io", "-n", "default", "-o", "yaml")

	d.say("2. What is exposed")
	d.must("expose-gw", "list")

	d.say("3. Where it is reachable")
	d.must("expose-gw", "url", "flaskapp")
	d.must("expose-gw", "url", "-o", "env")

	d.say("4. A local proxy that sends the right Host header (direct to the NodePort)")
	d.proxyAndCurl("default", "direct")

	d.say("5. Paths as Istio routes them: a path prefix is not a string prefix, a rewrite replaces the prefix")
	d.must("expose-gw", "web", "--host", "flask.example.com", "--prefix", "/")
	d.must("expose-gw", "docs", "--host", "flask.example.com", "--prefix", "/env")
	d.must("expose-gw", "api", "--host", "flask.example.com", "--prefix", "/api", "--rewrite", "/")
	fmt.Fprintln(d.out)
	for _, p := range []string{"/env/version", "/envoy", "/api/version", "/api"} {
		d.curlHost("flask.example.com", p)
	}

	d.shadowAct()
	d.httpsAct()

	d.say("8. The same when nothing is reachable: the gateway Service switched to ClusterIP")
	d.must("-n", testenv.IstioNamespace, "patch", "service", testenv.GatewayName, "--type", "merge",
		"-p", `{"spec":{"type":"ClusterIP"}}`)
	if r := d.run("expose-gw", "url", "flaskapp"); r == 0 {
		d.r.Fatalf("url should fail when the gateway is ClusterIP only, it exited 0")
	}
	d.proxyAndCurl("default", "port-forward")

	d.gatewayAPI()
	fmt.Fprintln(d.out, "\ndemo: all steps passed")
}

// run prints and runs `kubectl args...`, streaming its output; it returns
// the exit code.
func (d *demo) run(args ...string) int {
	fmt.Fprintf(d.out, "\n$ kubectl %s\n", quote(args))
	cmd := d.env.Command(d.r.Context(), d.env.Kubeconfig, d.kubectl, args...)
	cmd.Stdout, cmd.Stderr = d.out, d.out
	err := cmd.Run()
	d.env.IstioGateway.Sync() // requests sent next see what it wrote
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		d.r.Fatalf("running kubectl %s: %v", quote(args), err)
	}
	return 0
}

func (d *demo) must(args ...string) {
	if code := d.run(args...); code != 0 {
		d.r.Fatalf("`kubectl %s` exited %d", quote(args), code)
	}
}

var forwarding = regexp.MustCompile(`Forwarding (http://127\.0\.0\.1:\d+)`)

// proxyAndCurl starts `kubectl expose-gw -n ns proxy flaskapp` in the
// background, sends one request through it and shows what the gateway got.
func (d *demo) proxyAndCurl(ns, wantVia string) {
	port := pickPort(8080, 18080, 18180)
	args := []string{"expose-gw", "proxy", "flaskapp", "--local-port", strconv.Itoa(port)}
	if ns != "default" {
		args = []string{"expose-gw", "-n", ns, "proxy", "flaskapp", "--local-port", strconv.Itoa(port)}
	}
	url, stop := d.backgroundProxy(args)
	d.curlThrough(url+"/env/version", "/env/version", "(via "+wantVia+") ")
	stop()
}

// backgroundProxy starts `kubectl ARGS` (a proxy) in the background, its
// output shown, and returns its address once it prints its Forwarding
// line, and how to stop it (Ctrl-C, which must end it cleanly).
func (d *demo) backgroundProxy(args []string) (string, func()) {
	fmt.Fprintf(d.out, "\n$ kubectl %s &\n", quote(args))
	ctx, cancel := context.WithCancel(d.r.Context())
	cmd := d.env.Command(ctx, d.env.Kubeconfig, d.kubectl, args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		cancel()
		d.r.Fatalf("starting the proxy: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); pw.Close() }()
	base := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(d.out, "  "+line)
			if m := forwarding.FindStringSubmatch(line); m != nil {
				select {
				case base <- m[1]:
				default:
				}
			}
		}
	}()
	var url string
	select {
	case url = <-base:
	case err := <-done:
		cancel()
		d.r.Fatalf("the proxy exited before it was ready: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		d.r.Fatalf("the proxy printed no Forwarding line in 30s")
	}
	time.Sleep(100 * time.Millisecond) // the lines after Forwarding (its URLs) are shown first
	return url, func() {
		defer cancel()
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-done:
			if err != nil {
				d.r.Fatalf("the proxy did not exit cleanly on Ctrl-C: %v", err)
			}
		case <-time.After(10 * time.Second):
			d.r.Fatalf("the proxy did not stop within 10s of Ctrl-C")
		}
	}
}

// curlThrough sends one request to url (through a proxy) and shows what
// the gateway, routed by Istio, sent upstream; it must arrive as wantPath.
func (d *demo) curlThrough(url, wantPath, via string) {
	before := len(d.env.Upstream.Requests())
	d.curl(url)
	reqs := d.env.Upstream.Requests()
	if len(reqs) != before+1 {
		d.r.Fatalf("the upstream got %d requests, want 1", len(reqs)-before)
	}
	got := reqs[len(reqs)-1]
	fmt.Fprintf(d.out, "the gateway, routed by Istio, sent %s %s (Host: %s) %sto %s, which received %s\n", got.Method, orig(got), got.Host, via, got.Cluster, got.Path)
	if got.Path != wantPath {
		d.r.Fatalf("the gateway got path %q, want %s", got.Path, wantPath)
	}
}

func (d *demo) curl(url string) {
	fmt.Fprintf(d.out, "$ curl -s %s\n", url)
	cmd := exec.CommandContext(d.r.Context(), "curl", "-sS", "--max-time", "10", url)
	cmd.Stdout, cmd.Stderr = d.out, d.out
	if err := cmd.Run(); err != nil {
		d.r.Fatalf("curl %s: %v", url, err)
	}
}

// curlHost sends path with a Host header to the NodePort, as the article's
// curl does, and says where Istio sent it.
func (d *demo) curlHost(host, path string) {
	before := len(d.env.Upstream.Requests())
	url := fmt.Sprintf("http://127.0.0.1:%d%s", d.nodePort, path)
	fmt.Fprintf(d.out, "$ curl -s -o /dev/null -H 'Host: %s' %s\n", host, url)
	cmd := exec.CommandContext(d.r.Context(), "curl", "-sS", "-o", "/dev/null", "--max-time", "10", "-H", "Host: "+host, url)
	cmd.Stderr = d.out
	if err := cmd.Run(); err != nil {
		d.r.Fatalf("curl %s: %v", url, err)
	}
	reqs := d.env.Upstream.Requests()
	if len(reqs) != before+1 {
		d.r.Fatalf("no request reached a Service for %s", path)
	}
	got := reqs[len(reqs)-1]
	fmt.Fprintf(d.out, "  Istio: %s -> %s, received as %s\n", path, got.Cluster, got.Path)
}

// keep leaves the sandbox running until Ctrl-C.
func (d *demo) keep() {
	fmt.Fprintf(d.out, "\nThe sandbox keeps running until Ctrl-C. In another shell:\n  export KUBECONFIG=%s\n  export PATH=%s:$PATH\n  kubectl expose-gw list\n", d.env.Kubeconfig, pluginDir())
	<-d.r.Context().Done()
}

func pluginDir() string {
	d, err := testenv.PluginDir()
	if err != nil {
		return "bin/plugin"
	}
	return d
}

func quote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " *{}\"'$") {
			a = "'" + a + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

// orig is the path the client sent (before the gateway's rewrites).
func orig(r testenv.Request) string {
	if r.OriginalPath != "" {
		return r.OriginalPath
	}
	return r.Path
}

// legacyYAML is another team's hand-written VirtualService: its string
// prefix /s (meant for /static) takes every /shop request.
const legacyYAML = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: legacy
  namespace: team-b
spec:
  hosts: [shop.example.com]
  gateways: [default/expose-gw]
  http:
  - match:
    - uri: {prefix: /s}
    route:
    - destination: {host: static.team-b.svc.cluster.local}
`

// shadowAct: another team's older VirtualService takes the requests of a
// route the tool writes; expose warns, url --check says who answered,
// explain and lint say why.
func (d *demo) shadowAct() {
	d.say("6. Another team's VirtualService shadows a route: url --check, explain and lint say why")
	d.env.CreateApp(testenv.App{Name: "shop"})
	d.env.EnsureNamespace("team-b")
	f := filepath.Join(d.r.TempDir(), "legacy.yaml")
	if err := os.WriteFile(f, []byte(legacyYAML), 0o644); err != nil {
		d.r.Fatalf("%v", err)
	}
	fmt.Fprintf(d.out, "$ cat legacy.yaml\n%s", legacyYAML)
	d.must("apply", "-f", f)
	time.Sleep(1100 * time.Millisecond) // the tool's route is newer: Istio merges the oldest first
	if d.run("expose-gw", "shop", "--host", "shop.example.com", "--prefix", "/shop") == 0 {
		d.r.Fatalf("expose should refuse a route another VirtualService shadows")
	}
	d.must("expose-gw", "shop", "--host", "shop.example.com", "--prefix", "/shop", "--force")
	d.env.IstioGateway.Sync()
	d.curlStatus("shop.example.com", "/shop/cart")
	if d.run("expose-gw", "url", "shop", "--check") == 0 {
		d.r.Fatalf("url --check should exit 1 for a route the gateway answers 503")
	}
	if d.run("expose-gw", "explain", "http://shop.example.com/shop/cart") == 0 {
		d.r.Fatalf("explain should exit 1 for a URL the gateway answers 503")
	}
	if d.run("expose-gw", "lint", "-A", "--host", "shop.example.com") == 0 {
		d.r.Fatalf("lint should exit 1 when it finds problems")
	}
}

// httpsAct: HTTPS in one flag, the tool's CA, and curl trusting it
// through the gateway's https NodePort.
func (d *demo) httpsAct() {
	d.say("7. HTTPS in one flag beside act 1's \"*\" route: --tls self-signed, curl trusting the tool's CA, and one proxy for every host")
	d.env.IstioGateway.Listen(fmt.Sprintf("127.0.0.1:%d", d.httpsNodePort), testenv.IstioNamespace, 8443)
	ca := filepath.Join(d.r.TempDir(), "ca.pem")
	// On expose-gw, act 1's "*" route would join the HTTPS server and
	// take its requests: expose puts the host on a Gateway of its own.
	d.must("expose-gw", "flaskapp", "--prefix", "/env", "--host", "secure.example.com", "--tls", "self-signed", "--ca-out", ca)
	d.env.IstioGateway.Sync()
	url := fmt.Sprintf("https://secure.example.com:%d/env/version", d.httpsNodePort)
	resolve := fmt.Sprintf("secure.example.com:%d:127.0.0.1", d.httpsNodePort)
	fmt.Fprintf(d.out, "$ curl -sS --cacert %s --resolve %s -o /dev/null -w '%%{http_code} %%{ssl_verify_result}\\n' %s\n", ca, resolve, url)
	cmd := exec.CommandContext(d.r.Context(), "curl", "-sS", "--cacert", ca, "--resolve", resolve, "-o", "/dev/null",
		"-w", "%{http_code} %{ssl_verify_result}\n", "--max-time", "10", url)
	cmd.Stdout, cmd.Stderr = d.out, d.out
	if err := cmd.Run(); err != nil {
		d.r.Fatalf("curl %s: %v", url, err)
	}
	d.must("expose-gw", "url", "flaskapp", "--https")

	// One proxy for every host: HOST.localhost names (curl and browsers
	// resolve them to the loopback), TLS to the https route.
	url, stop := d.backgroundProxy([]string{"expose-gw", "proxy", "--all", "--local-port", strconv.Itoa(pickPort(8080, 18080, 18180))})
	base := strings.TrimPrefix(url, "http://127.0.0.1")
	d.curlThrough("http://localhost"+base+"/env/version", "/env/version", "")
	d.curlThrough("http://secure.example.com.localhost"+base+"/env/version", "/env/version", "(over TLS) ")
	stop()
	d.must("expose-gw", "delete", "flaskapp", "--host", "secure.example.com")
}

// curlStatus sends path with a Host header to the NodePort and prints the
// status the gateway answered.
func (d *demo) curlStatus(host, path string) {
	url := fmt.Sprintf("http://127.0.0.1:%d%s", d.nodePort, path)
	fmt.Fprintf(d.out, "$ curl -s -o /dev/null -w '%%{http_code}\\n' -H 'Host: %s' %s\n", host, url)
	cmd := exec.CommandContext(d.r.Context(), "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}\n", "--max-time", "10", "-H", "Host: "+host, url)
	cmd.Stdout, cmd.Stderr = d.out, d.out
	if err := cmd.Run(); err != nil {
		d.r.Fatalf("curl %s: %v", url, err)
	}
}
