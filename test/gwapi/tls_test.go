package gwapi

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

// TestTLSAndRedirectWithTheGatewayAPI: --tls-secret gives the tool's
// Gateway an HTTPS listener for the host with that certificateRef, and
// --https-redirect a redirect route on the HTTP listener; Istio serves
// the certificate for the host's SNI, routes HTTPS to the Service and
// answers plain HTTP with a 301 to https.
func TestTLSAndRedirectWithTheGatewayAPI(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.CreateApp(testenv.App{Name: "flaskapp"})
	env.CreateTLSSecret("default", "flask-cert", "flask.example.com")

	r := env.KubectlSyncing(300*time.Millisecond, nil, "expose-gw", "flaskapp", "--host", "flask.example.com", "--prefix", "/env",
		"--tls-secret", "flask-cert", "--https-redirect", "--wait", "60s")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{
		"gateway.gateway.networking.k8s.io/expose-gw created",
		"httproute.gateway.networking.k8s.io/flaskapp-flask.example.com created",
		"httproute.gateway.networking.k8s.io/flaskapp-flask.example.com-redirect created",
	}, lines(r.Stdout)[:3])
	assert.NotContains(t, r.Stderr, "has not reported")

	pod := env.GatewayPod("default", "expose-gw")
	plain := env.PortForward("default", pod, 80)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest("GET", "http://"+plain+"/env/version", nil)
	require.NoError(t, err)
	req.Host = "flask.example.com"
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	assert.Equal(t, "https://flask.example.com/env/version", resp.Header.Get("Location"))

	secure := env.PortForward("default", pod, 443)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{ServerName: "flask.example.com", RootCAs: env.CAPool()}}}
	req, err = http.NewRequest("GET", "https://"+secure+"/env/version", nil)
	require.NoError(t, err)
	req.Host = "flask.example.com"
	resp, err = hc.Do(req)
	require.NoError(t, err, "Istio serves flask-cert for the host's SNI")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, 200, resp.StatusCode, string(b))
	var seen testenv.Request
	require.NoError(t, json.Unmarshal(b, &seen))
	assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
	assert.True(t, seen.TLS)
}
