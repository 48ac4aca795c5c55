package expose

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// send asks the Istio-driven gateway (the pod port a port-forward or
// NodePort would reach) for path on host and returns the status and the
// Service Istio sent it to ("" when it answered itself).
func send(t *testing.T, w *world, port int, host, path string) (int, string) {
	t.Helper()
	status, seen := sendRaw(t, w, port, host, path)
	return status, seen.Service()
}

// sendRaw is send returning what the upstream saw.
func sendRaw(t *testing.T, w *world, port int, host, path string) (int, testenv.Request) {
	t.Helper()
	addr := w.IstioGateway.PortAddr(testenv.IstioNamespace, port)
	c := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	scheme := "http"
	if port == 8443 {
		scheme = "https"
		c.Transport = &http.Transport{TLSClientConfig: &tls.Config{ServerName: host, RootCAs: w.CAPool()}}
	}
	req, err := http.NewRequest("GET", scheme+"://"+addr+path, nil)
	require.NoError(t, err)
	req.Host = host
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var seen testenv.Request
	if resp.StatusCode == 200 {
		require.NoError(t, json.Unmarshal(b, &seen), "%s", b)
	}
	t.Logf("%s %s://%s%s -> %d %s %s", "GET", scheme, host, path, resp.StatusCode, seen.Service(), seen.Path)
	return resp.StatusCode, seen
}

// listStatus is list -A's status of the route of service svc on host.
func listStatus(t *testing.T, w *world, svc, host string) string {
	t.Helper()
	r := w.Kubectl("expose-gw", "list", "-A", "-o", "json")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	var l struct {
		Items []struct{ Host, Route, Status string }
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &l))
	for _, row := range l.Items {
		if row.Route == svc && row.Host == host {
			return row.Status
		}
	}
	t.Fatalf("no route of %s for host %s in list -A:\n%s", svc, host, r.Stdout)
	return ""
}

// Case 4 of the issue: two namespaces, one virtual host. Istio merges the
// "*" virtual hosts of both expose-gw Gateways (same pods, same port) and
// the older VirtualService takes every request: expose refuses, --force
// writes and warns, and list -A says which route wins.
func TestReachAcrossNamespaces(t *testing.T) {
	w := start(t)
	w.app("default", "web")
	w.app("team-a", "shop")
	r := w.Kubectl("expose-gw", "web", "--prefix", "/")
	require.Equal(t, 0, r.ExitCode, r.Stderr)

	before := w.snapshot(t, "team-a")
	r = w.Kubectl("expose-gw", "shop", "-n", "team-a", "--prefix", "/")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, `error: route prefix / of host "*" (virtualservice team-a/expose-gw-any) would be shadowed by default/expose-gw-any route prefix / (web.default.svc.cluster.local:80): give it its own host with --host or its own Gateway with --gateway, or add --force to write it anyway`+"\n", r.Stderr)
	assert.Equal(t, before, w.snapshot(t, "team-a"), "nothing written")

	// What Istio does when it is written anyway.
	w.AllowAnalysis("IST0145") // the two Gateways conflict, on purpose here
	r = w.Kubectl("expose-gw", "shop", "-n", "team-a", "--prefix", "/", "--force")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Contains(t, r.Stderr, "Warning: route prefix / of host \"*\" (virtualservice team-a/expose-gw-any) would be shadowed by default/expose-gw-any")
	status, svc := send(t, w, 8080, "shop.example.com", "/")
	assert.Equal(t, 200, status)
	assert.Equal(t, "web.default.svc.cluster.local", svc, "Istio sends team-a's requests to default's web")
	assert.Equal(t, "shadowed by default/expose-gw-any route prefix / (web.default.svc.cluster.local:80)", listStatus(t, w, "shop", "*"))
	assert.Equal(t, "ok", listStatus(t, w, "web", "*"))

	// A host of its own is a virtual host of its own: both reached.
	w.CreateApp(testenv.App{Name: "cart", Namespace: "team-a"})
	r = w.Kubectl("expose-gw", "cart", "-n", "team-a", "--host", "cart.example.com", "--prefix", "/")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	_, svc = send(t, w, 8080, "cart.example.com", "/x")
	assert.Equal(t, "cart.team-a.svc.cluster.local", svc)
	assert.Equal(t, "ok", listStatus(t, w, "cart", "cart.example.com"))
}

// Case 3 of the issue: a "*" VirtualService on the Gateway where a host
// gets its HTTPS server joins that server's virtual host, and, older, takes
// its requests. The host goes to a Gateway of its own (the tool's, same
// pods: issue 26), where Istio serves it; its plain HTTP is redirected
// there, other hosts still reach the "*" route.
func TestReachAcrossServers(t *testing.T) {
	w := start(t)
	w.app("default", "web")
	w.app("default", "docs")
	w.CreateTLSSecret(testenv.IstioNamespace, "secure-cert", "secure.example.com")
	r := w.Kubectl("expose-gw", "web", "--prefix", "/")
	require.Equal(t, 0, r.ExitCode, r.Stderr)

	r = w.Kubectl("expose-gw", "docs", "--host", "secure.example.com", "--tls-secret", "secure-cert", "--https-redirect", "--prefix", "/")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Contains(t, r.Stderr, `host secure.example.com: on Gateway default/expose-gw-secure-example-com (same pods, istio=ingressgateway): on default/expose-gw the "*" route of default/expose-gw-any would take its HTTPS requests`)
	assert.Contains(t, r.Stdout, "gateway.networking.istio.io/expose-gw-secure-example-com created\n")
	status, svc := send(t, w, 8443, "secure.example.com", "/page")
	assert.Equal(t, 200, status)
	assert.Equal(t, "docs.default.svc.cluster.local", svc)
	status, _ = send(t, w, 8080, "secure.example.com", "/page")
	assert.Equal(t, 301, status, "plain HTTP is redirected to HTTPS")
	_, svc = send(t, w, 8080, "other.example.com", "/")
	assert.Equal(t, "web.default.svc.cluster.local", svc)
	assert.Equal(t, "ok", listStatus(t, w, "docs", "secure.example.com"))
}
