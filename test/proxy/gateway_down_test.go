package proxy

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestGatewayDown runs the proxy in port-forward mode while the gateway pod
// stays Ready but nothing listens behind it (the Istio-driven gateway stops
// serving the pod's port 8080, where kwok's port-forwards land, resetting
// its connections as a dying Envoy's): every request gets a 502 whose body is
// one line naming the reason, at once, and the proxy answers again as soon
// as the gateway listens again.
func TestGatewayDown(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{})
	exposeRoute(t, env, "flaskapp", []string{"flask.example.com"}, "/env")
	addr := env.IstioGateway.PortAddr(testenv.IstioNamespace, 8080)

	p := startProxy(t, env, "flaskapp", "--via", "port-forward")
	status, body := get(t, p.URL+"/env/up")
	require.Equal(t, 200, status, body)

	env.IstioGateway.Unlisten(addr) // also resets the proxy's kept-alive connection
	for _, path := range []string{"/env/down", "/env/still-down", "/env/again?x=1"} {
		status, body := get(t, p.URL+path)
		assert.Equal(t, 502, status, path)
		assert.Regexp(t, `^expose-gw proxy: [^\n]*connection refused[^\n]*\n$`, body, path)
	}

	before := len(env.Upstream.Requests())
	env.IstioGateway.Listen(addr, testenv.IstioNamespace, 8080) // the gateway comes back on the same port
	status, body = get(t, p.URL+"/env/back")
	assert.Equal(t, 200, status, body)
	reqs := env.Upstream.Requests()
	require.Len(t, reqs, before+1)
	got := reqs[len(reqs)-1]
	assert.Equal(t, testenv.Request{Method: "GET", Host: "flask.example.com", Path: "/env/back", Cluster: "outbound|80||flaskapp.default.svc.cluster.local"},
		testenv.Request{Method: got.Method, Host: got.Host, Path: got.Path, Cluster: got.Cluster})
	p.Stop()
}

// get sends a GET and returns status and body; a proxy that hangs fails
// the test after a generous bound instead of blocking it.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 60 * time.Second}
	start := time.Now()
	resp, err := c.Get(url)
	require.NoError(t, err, "GET %s", url)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	t.Logf("GET %s: %d %q in %s", url, resp.StatusCode, b, time.Since(start))
	return resp.StatusCode, string(b)
}
