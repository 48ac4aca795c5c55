package proxy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// testKubeTLSFlags runs in TestPortForward, after the https subtest wrote
// the HTTPS route of Service secure (certificate valid for example.com).
func testKubeTLSFlags(t *testing.T, env *testenv.Env) {
	// A kubeconfig trusting a CA that did not sign the API server's
	// certificate: the port-forward fails until kubectl's flag skips
	// the check, while the gateway stays verified with its own CA.
	cfg, err := clientcmd.LoadFromFile(env.Kubeconfig)
	require.NoError(t, err)
	ca := env.CAFile()
	pem, err := os.ReadFile(ca)
	require.NoError(t, err)
	for _, c := range cfg.Clusters {
		c.CertificateAuthority, c.CertificateAuthorityData = "", pem
	}
	wrongCA := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*cfg, wrongCA))

	r := env.RunCmd(env.Ctx(), wrongCA, nil, testenv.KubectlPath(), "expose-gw", "proxy", "--local-port", "0",
		"--host", "example.com", "--https", "--gateway-ca-file", ca, "--via", "port-forward")
	assert.Equal(t, 1, r.ExitCode)
	assert.Contains(t, r.Stderr, "x509: certificate signed by unknown authority")

	p := startProxyAs(t, env, wrongCA, "--host", "example.com", "--https", "--gateway-ca-file", ca, "--via", "port-forward", "--insecure-skip-tls-verify")
	assert.Empty(t, p.stderr.String(), "no deprecation warning: a --gateway-* TLS flag was given")
	status, body := p.Do("GET", "/secure", nil)
	require.Equal(t, 200, status, body)
	p.Stop()

	p = startProxyAs(t, env, wrongCA, "--host", "flask.example.org", "--https", "--gateway-ca-file", ca, "--via", "port-forward", "--insecure-skip-tls-verify")
	status, body = p.Do("GET", "/secure", nil)
	assert.Equal(t, 502, status, "the gateway is still verified")
	assert.Equal(t, "expose-gw proxy: tls: failed to verify certificate: x509: certificate is valid for example.com, not flask.example.org\n", body)
	p.Stop()
}
