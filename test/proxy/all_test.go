package proxy

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestProxyAll: one `proxy --all` serves the route hosts of both APIs
// (VirtualServices on the Istio gateway, an HTTPRoute on a Gateway of
// class istio, each through its own port-forward), an https route of
// --tls self-signed (SNI = its host, verified with the tool's CA) and a
// "*" route at localhost; each request is sent upstream with its route
// host to the cluster Istio chose. -A serves them from another namespace.
// Bad input is one line, exit 1.
func TestProxyAll(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{Apps: []testenv.App{{Name: "flaskapp"}, {Name: "shop"}, {Name: "notes"}, {Name: "books"}}})
	expose := func(args ...string) {
		t.Helper()
		r := env.Kubectl(append([]string{"expose-gw"}, args...)...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
	}
	expose("flaskapp", "--prefix", "/env")
	expose("shop", "--host", "shop.example.com", "--prefix", "/shop")
	expose("notes", "--host", "notes.example.com", "--prefix", "/", "--tls", "self-signed", "--gateway", "secure")
	expose("books", "--api", "gateway-api", "--host", "books.example.com", "--prefix", "/books")

	p := testenv.StartProxy(t, env, "--all", "--via", "port-forward")
	_, port, err := net.SplitHostPort(p.Addr)
	require.NoError(t, err)
	table := strings.Join(p.StdoutAfter(5), "\n")
	t.Logf("the table:\n%s", table)
	for _, want := range []string{
		"http://localhost:" + port + "/env",
		"http://shop.example.com.localhost:" + port + "/shop",
		"http://notes.example.com.localhost:" + port + "/",
		"http://books.example.com.localhost:" + port + "/books",
	} {
		assert.Contains(t, table, want+" ", "the table of local URLs")
	}

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(host, path string) (int, testenv.Request, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, p.URL+path, nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var seen testenv.Request
		if resp.StatusCode == 200 {
			require.NoError(t, json.Unmarshal(body, &seen), "%s%s: %s", host, path, body)
		}
		return resp.StatusCode, seen, string(body)
	}
	for _, tt := range []struct {
		local, path, host, cluster string
		tls                        bool
	}{
		{"localhost:" + port, "/env/x", "localhost:" + port, "outbound|80||flaskapp.default.svc.cluster.local", false},
		{"shop.example.com.localhost:" + port, "/shop/cart", "shop.example.com", "outbound|80||shop.default.svc.cluster.local", false},
		{"notes.example.com.localhost:" + port, "/n/1", "notes.example.com", "outbound|80||notes.default.svc.cluster.local", true},
		{"books.example.com.localhost:" + port, "/books/2", "books.example.com", "outbound|80||books.default.svc.cluster.local", false},
	} {
		t.Run(tt.local, func(t *testing.T) {
			status, seen, body := send(tt.local, tt.path)
			require.Equal(t, 200, status, body)
			assert.Equal(t, tt.host, seen.Host, "the Host upstream")
			assert.Equal(t, tt.path, seen.Path)
			assert.Equal(t, tt.cluster, seen.Cluster, "the cluster Istio chose")
			assert.Equal(t, tt.tls, seen.TLS, "TLS to the gateway")
			if tt.tls {
				assert.Equal(t, tt.host, seen.SNI, "the SNI")
			}
		})
	}
	assert.Contains(t, p.StderrNow(), "Verifying the gateway's certificate with the tool's CA (Secret istio-system/expose-gw-ca)",
		"the https route is verified with the tool's CA")
	status, _, body := send("evil.example:"+port, "/env/x")
	assert.Equal(t, http.StatusMisdirectedRequest, status, "a Host that names no route host (DNS rebinding)")
	assert.Contains(t, body, "http://shop.example.com.localhost:"+port)

	// -A from a namespace without routes serves default's too.
	pa := testenv.StartProxy(t, env, "-A", "-n", "kube-public", "--via", "port-forward")
	req, err := http.NewRequest(http.MethodGet, pa.URL+"/shop/a", nil)
	require.NoError(t, err)
	_, port2, _ := net.SplitHostPort(pa.Addr)
	req.Host = "shop.example.com.localhost:" + port2
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode, "proxy -A -n kube-public reaches default's shop.example.com")

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--all", "shop"}, `error: --all serves every route host: leave out SERVICE "shop", or leave out --all to proxy only its routes`},
		{[]string{"-A", "--host", "shop.example.com"}, `error: -A (--all-namespaces) serves every route host: leave out --host "shop.example.com", or leave out -A (--all-namespaces) to proxy only that host`},
		{[]string{"-n", "kube-public"}, "error: no routes to proxy in namespace kube-public: no VirtualService or HTTPRoute routes to a Service through a Gateway (give SERVICE or --host, or expose one first: kubectl expose-gw SERVICE)"},
	} {
		r := env.Kubectl(append([]string{"expose-gw", "proxy", "--local-port", "0"}, tt.args...)...)
		assert.Equal(t, 1, r.ExitCode, "proxy %v", tt.args)
		assert.Equal(t, tt.want+"\n", r.Stderr, "proxy %v", tt.args)
	}
}
