package main

import (
	"bufio"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestDemo runs `make demo`'s program as a user would, so the demo cannot
// rot: every step must pass and show the gateway receiving the request
// directly and through the port-forward.
func TestDemo(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "demo")
	build := exec.Command("go", "build", "-o", bin, "./test/demo")
	build.Dir = testenv.RepoRoot()
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	if _, err := testenv.PluginDir(); err != nil { // builds the plugin unless make test did
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin)
	cmd.Env = os.Environ()
	if d, _ := testenv.PluginDir(); os.Getenv("EXPOSE_GW_PLUGIN_DIR") == "" {
		cmd.Env = append(cmd.Env, "EXPOSE_GW_PLUGIN_DIR="+d)
	}
	b, err := cmd.CombinedOutput()
	got := string(b)
	t.Log(got)
	require.NoError(t, err, "the demo failed")
	for _, want := range []string{
		"$ kubectl expose-gw flaskapp --prefix /env",
		"virtualservice.networking.istio.io/",
		"$ kubectl expose-gw list",
		"$ kubectl expose-gw url -o env",
		"export INGRESS_PORT=",
		"sent GET /env/version (Host: 127.0.0.1:",
		"(via direct)",
		"(via port-forward)",
		"  Istio: /env/version -> outbound|80||docs.default.svc.cluster.local, received as /env/version",
		"  Istio: /envoy -> outbound|80||web.default.svc.cluster.local, received as /envoy",
		"  Istio: /api/version -> outbound|8080||api.default.svc.cluster.local, received as /version",
		"  Istio: /api -> outbound|8080||api.default.svc.cluster.local, received as /",
		// The shadow act: another team's string prefix /s takes /shop;
		// Istio answers 503 (no Service team-b/static), and explain and
		// lint say why.
		"would be shadowed by team-b/legacy route string-prefix /s",
		"$ curl -s -o /dev/null -w '%{http_code}\\n' -H 'Host: shop.example.com' http://127.0.0.1:",
		"/shop/cart\n503\n",
		"$ kubectl expose-gw url shop --check\nFAIL  503 ",
		"Host: shop.example.com  the gateway answered itself: no cluster for the route's destination (NC)\n  taken by: rule 0 of VirtualService team-b/legacy (prefix /s)\n",
		"$ kubectl expose-gw explain http://shop.example.com/shop/cart\n",
		"VirtualService team-b/legacy, rule 0 (prefix /s)\n",
		"unavailable (503): VirtualService team-b/legacy rule 0 sends to static.team-b.svc.cluster.local:80: no Service team-b/static: the gateway answers 503\n",
		"EGW0001 VirtualService default/expose-gw-shop.example.com rule 0: rule 0 (exact /shop; prefix /shop/) is never reached on host shop.example.com: VirtualService team-b/legacy rule 0 (prefix /s) takes all its requests first\n",
		"IST0101 VirtualService team-b/legacy rule 0: rule 0 sends to static.team-b.svc.cluster.local: no Service team-b/static: the gateway answers 503\n",
		// The HTTPS act: the tool's CA and certificate, curl trusts the
		// CA (200, verify result 0), url's curl line reads the CA.
		`host secure.example.com: on Gateway default/expose-gw-secure-example-com (same pods, istio=ingressgateway): on default/expose-gw the "*" route of default/expose-gw-any would take its HTTPS requests`,
		"gateway.networking.istio.io/expose-gw-secure-example-com created\n",
		"secret/expose-gw-ca created\nsecret/expose-gw-tls-secure.example.com-",
		"\n200 0\n",
		"  curl --cacert <(kubectl get secret -n istio-system expose-gw-ca -o jsonpath='{.data.tls\\.crt}' | base64 -d) --resolve secure.example.com:",
		// proxy --all: the "*" route at localhost, the https host at its
		// .localhost name, over TLS; delete removes the host's Gateway.
		"http://secure.example.com.localhost:",
		"(Host: localhost:",
		"(Host: secure.example.com) (over TLS) to outbound|80||flaskapp.default.svc.cluster.local, which received /env/version",
		"gateway.networking.istio.io/expose-gw-secure-example-com deleted\n",
		// The Gateway API act: Istio accepts and routes what expose wrote,
		// url and proxy find it.
		"httproute.gateway.networking.k8s.io/flaskapp-any created",
		"Accepted=True Accepted\nResolvedRefs=True ResolvedRefs\n",
		"  Istio: /env/version -> outbound|80||flaskapp.shop.svc.cluster.local, received as /env/version",
		"  Istio: /envoy -> 404 (no route)",
		"to outbound|80||flaskapp.shop.svc.cluster.local, which received /env/version",
		"gateway.gateway.networking.k8s.io/expose-gw deleted",
		"demo: all steps passed",
	} {
		assert.Contains(t, got, want)
	}
	assert.Equal(t, 4, strings.Count(got, "to outbound|80||flaskapp.default.svc.cluster.local, which received /env/version"),
		"the requests of act 4 (direct, port-forward) and act 7 (proxy --all: localhost, secure.example.com) routed by Istio to flaskapp")
}

// TestDemoKeepThenCtrlC keeps the sandbox (make demo KEEP=1), checks the
// hint works, then sends Ctrl-C: the demo exits 0 and leaves nothing
// behind (the scratch folder is gone and the apiserver no longer answers).
func TestDemoKeepThenCtrlC(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "demo")
	build := exec.Command("go", "build", "-o", bin, "./test/demo")
	build.Dir = testenv.RepoRoot()
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	dir, err := testenv.PluginDir()
	require.NoError(t, err)
	cmd := exec.CommandContext(t.Context(), bin, "-keep")
	cmd.Env = append(os.Environ(), "EXPOSE_GW_PLUGIN_DIR="+dir)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); pw.Close() }()
	var kubeconfig string
	var log strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		log.WriteString(line + "\n")
		if k, ok := strings.CutPrefix(strings.TrimSpace(line), "export KUBECONFIG="); ok {
			kubeconfig = k
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	require.NotEmpty(t, kubeconfig, "no KUBECONFIG hint in:\n%s", log.String())

	// The hint works: the real kubectl reaches the kept sandbox with it.
	get := exec.Command(testenv.KubectlPath(), "--kubeconfig", kubeconfig, "get", "virtualservices.networking.istio.io", "-A", "-o", "name")
	got, err := get.CombinedOutput()
	require.NoError(t, err, "%s", got)
	assert.Contains(t, string(got), "virtualservice.networking.istio.io/")
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	require.NoError(t, err)
	u, err := url.Parse(cfg.Host)
	require.NoError(t, err)

	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.NoError(t, <-done, "the demo must exit 0 on Ctrl-C")
	_, err = os.Stat(filepath.Dir(kubeconfig))
	assert.True(t, os.IsNotExist(err), "the sandbox folder %s is left behind", filepath.Dir(kubeconfig))
	c, err := net.Dial("tcp", u.Host)
	if err == nil {
		c.Close()
	}
	assert.Error(t, err, "the apiserver at %s still answers after Ctrl-C", u.Host)
}
