package proxy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestProxyTrustsTheToolsCA: a route exposed with --tls self-signed is
// proxied over TLS with the gateway's certificate verified against the
// tool's CA, read from its Secret: no CA file, no skipping verification.
func TestProxyTrustsTheToolsCA(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{})
	r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/env", "--host", "flask.example.com", "--tls", "self-signed")
	require.Equal(t, 0, r.ExitCode, r.Stderr)

	p := startProxy(t, env, "flaskapp", "--https", "--via", "port-forward")
	assert.Contains(t, p.stderr.String(), "Verifying the gateway's certificate with the tool's CA (Secret istio-system/expose-gw-ca)\n")
	status, body := p.Do("GET", "/env/x", nil)
	require.Equal(t, 200, status, body)
	var seen testenv.Request
	require.NoError(t, json.Unmarshal([]byte(body), &seen))
	assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
	assert.True(t, seen.TLS, "over TLS to the gateway")
	assert.Equal(t, "flask.example.com", seen.SNI)
	p.Stop()

	// Another CA in its place: the same proxy now refuses the gateway's
	// certificate (verification is really on).
	r = env.Kubectl("delete", "secret", "-n", testenv.IstioNamespace, "expose-gw-ca")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	r = env.Kubectl("expose-gw", "flaskapp", "--prefix", "/other", "--host", "other.example.com", "--tls", "self-signed")
	require.Equal(t, 0, r.ExitCode, r.Stderr) // a new CA; flask.example.com's certificate is still the old one's
	p = startProxy(t, env, "flaskapp", "--https", "--via", "port-forward", "--host", "flask.example.com")
	status, body = p.Do("GET", "/env/x", nil)
	assert.Equal(t, 502, status)
	assert.Contains(t, body, "certificate signed by unknown authority")
	p.Stop()
}
