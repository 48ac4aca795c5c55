package expose

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/selfsigned"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// httpsTrusting sends GET path over TLS to the gateway's 8443 with SNI and
// Host host, trusting only the CA in caFile: the answer and the
// certificate the gateway presented.
func httpsTrusting(t *testing.T, w *world, caFile, host, path string) (int, testenv.Request, *x509.Certificate) {
	t.Helper()
	return httpsTo(t, w.IstioGateway.PortAddr(testenv.IstioNamespace, 8443), caFile, host, path)
}

// httpsTo is httpsTrusting to the gateway at addr.
func httpsTo(t *testing.T, addr, caFile, host, path string) (int, testenv.Request, *x509.Certificate) {
	t.Helper()
	pemBytes, err := os.ReadFile(caFile)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pemBytes), "the CA file holds a PEM certificate")
	var peer *x509.Certificate
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12,
			VerifyConnection: func(cs tls.ConnectionState) error { peer = cs.PeerCertificates[0]; return nil }},
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		},
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 20 * time.Second}).Get("https://" + host + path)
	require.NoError(t, err, "a client trusting only the printed CA reaches %s", host)
	defer resp.Body.Close()
	var seen testenv.Request
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&seen))
	return resp.StatusCode, seen, peer
}

// TestTLSSelfSigned: --tls self-signed makes the tool's CA and a
// certificate for exactly the route's hosts where Istio reads it; Istio
// serves it, chained to the CA written by --ca-out; a re-run changes
// nothing; an expiring certificate is renewed; what the tool did not make
// is never touched.
func TestTLSSelfSigned(t *testing.T) {
	w := start(t)
	w.app("tls", "shop")
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	leafName := selfsigned.LeafSecret([]string{"shop.example.com", "www.shop.example.com"})
	args := []string{"expose-gw", "-n", "tls", "shop", "--prefix", "/api", "--host", "shop.example.com", "--host", "www.shop.example.com", "--tls", "self-signed", "--ca-out", caFile}
	r := w.Kubectl(args...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Contains(t, r.Stdout, "secret/expose-gw-ca created\n")
	assert.Contains(t, r.Stdout, "secret/"+leafName+" created\n")
	assert.Contains(t, r.Stderr, "The certificate of the CA that signed it (Secret istio-system/expose-gw-ca) is in "+caFile)
	leaf, err := w.Kube.CoreV1().Secrets(testenv.IstioNamespace).Get(w.Ctx(), leafName, metav1.GetOptions{})
	require.NoError(t, err, "the certificate is where Istio reads credentialName: the gateway pods' namespace")
	assert.Equal(t, corev1.SecretTypeTLS, leaf.Type)
	assert.Equal(t, leafName, w.gw(t, "tls", "expose-gw").Spec.Servers[1].Tls.CredentialName)

	for _, host := range []string{"shop.example.com", "www.shop.example.com"} {
		status, seen, peer := httpsTrusting(t, w, caFile, host, "/api/cart")
		assert.Equal(t, 200, status, host)
		assert.Equal(t, "outbound|80||shop.tls.svc.cluster.local", seen.Cluster, "Istio routes %s over TLS", host)
		assert.ElementsMatch(t, []string{"shop.example.com", "www.shop.example.com"}, peer.DNSNames, "exactly the route's hosts")
	}

	t.Run("url's curl line trusts the tool's CA", func(t *testing.T) {
		r := w.Kubectl("expose-gw", "-n", "tls", "url", "shop", "--https")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		cacert := `--cacert <(kubectl get secret -n istio-system expose-gw-ca -o jsonpath='{.data.tls\.crt}' | base64 -d)`
		assert.Contains(t, r.Stdout, "  curl "+cacert+" --resolve shop.example.com:31390:127.0.0.1 https://shop.example.com:31390/api\n")
		// The shell argument reads the very CA --ca-out wrote.
		got := w.RunCmd(w.Ctx(), w.Kubeconfig, nil, "bash", "-c", "cat "+strings.TrimPrefix(cacert, "--cacert "))
		require.Equal(t, 0, got.ExitCode, got.Stderr)
		want, err := os.ReadFile(caFile)
		require.NoError(t, err)
		assert.Equal(t, string(want), got.Stdout)
	})

	before := w.RouteObjects()
	secretRV := func(name string) string {
		s, err := w.Kube.CoreV1().Secrets(testenv.IstioNamespace).Get(w.Ctx(), name, metav1.GetOptions{})
		require.NoError(t, err)
		return s.ResourceVersion
	}
	caRV, leafRV := secretRV("expose-gw-ca"), secretRV(leafName)
	r = w.Kubectl(args...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		if strings.Contains(line, "/") && !strings.HasPrefix(line, "curl") && !strings.HasPrefix(line, "http") {
			assert.True(t, strings.HasSuffix(line, " unchanged"), "re-run: %q", line)
		}
	}
	assert.Equal(t, before, w.RouteObjects())
	assert.Equal(t, caRV, secretRV("expose-gw-ca"))
	assert.Equal(t, leafRV, secretRV(leafName))

	t.Run("an expiring certificate is renewed", func(t *testing.T) {
		ca, err := w.Kube.CoreV1().Secrets(testenv.IstioNamespace).Get(w.Ctx(), "expose-gw-ca", metav1.GetOptions{})
		require.NoError(t, err)
		old, err := selfsigned.Issue(selfsigned.Pair{Cert: ca.Data["tls.crt"], Key: ca.Data["tls.key"]},
			[]string{"shop.example.com", "www.shop.example.com"}, time.Now().Add(-selfsigned.LeafValidity+10*24*time.Hour))
		require.NoError(t, err)
		s, err := w.Kube.CoreV1().Secrets(testenv.IstioNamespace).Get(w.Ctx(), leafName, metav1.GetOptions{})
		require.NoError(t, err)
		s.Data = map[string][]byte{"tls.crt": old.Cert, "tls.key": old.Key}
		_, err = w.Kube.CoreV1().Secrets(testenv.IstioNamespace).Update(w.Ctx(), s, metav1.UpdateOptions{})
		require.NoError(t, err)
		r := w.Kubectl(args...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stdout, "secret/expose-gw-ca unchanged\n")
		assert.Contains(t, r.Stdout, "secret/"+leafName+" configured\n")
		_, _, peer := httpsTrusting(t, w, caFile, "shop.example.com", "/api")
		assert.True(t, peer.NotAfter.After(time.Now().Add(300*24*time.Hour)), "Istio serves the renewed certificate (until %s)", peer.NotAfter)
	})
	secrets := func(ns string) []string {
		l, err := w.Kube.CoreV1().Secrets(ns).List(w.Ctx(), metav1.ListOptions{})
		require.NoError(t, err)
		var out []string
		for _, s := range l.Items {
			out = append(out, s.Name+"@"+s.ResourceVersion)
		}
		return out
	}
	t.Run("-o yaml never prints a private key", func(t *testing.T) {
		r := w.Kubectl(append(args, "-o", "yaml")...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stdout, "tls.crt: ")
		assert.NotContains(t, r.Stdout, "tls.key")
		r = w.Kubectl("expose-gw", "-n", "tls", "shop", "--prefix", "/dry", "--host", "dry.example.com", "--tls", "self-signed", "--dry-run=client", "-o", "yaml")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.NotContains(t, r.Stdout, "tls.key")
	})
	t.Run("bad input: one line, nothing changed", func(t *testing.T) {
		before, beforeSecrets := w.RouteObjects(), secrets(testenv.IstioNamespace)
		for _, c := range []struct{ args, want string }{
			{"--tls bogus --host a.example.com", `error: invalid --tls "bogus": expected self-signed`},
			{"--tls self-signed --tls-secret x --host a.example.com", `error: --tls self-signed and --tls-secret "x" both choose the certificate: give one`},
			{"--tls self-signed", `error: --tls self-signed for host "*": a certificate names its hosts`},
			{"--ca-out /tmp/x.pem --host a.example.com", `error: --ca-out "/tmp/x.pem" without --tls self-signed`},
			{"--tls self-signed --ca-out /nowhere/ca.pem --host a.example.com", `error: invalid --ca-out "/nowhere/ca.pem": expected a file in an existing directory`},
		} {
			r := w.Kubectl(append([]string{"expose-gw", "-n", "tls", "shop", "--prefix", "/bad"}, strings.Fields(c.args)...)...)
			assert.Equal(t, 1, r.ExitCode, c.args)
			assert.True(t, strings.HasPrefix(r.Stderr, c.want), "%s: %q", c.args, r.Stderr)
			assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one line: %q", r.Stderr)
		}
		assert.Equal(t, before, w.RouteObjects())
		assert.Equal(t, beforeSecrets, secrets(testenv.IstioNamespace), "no Secret written")
	})
	t.Run("a CA Secret the tool did not make is refused", func(t *testing.T) {
		// Another gateway namespace (the Helm chart's): its own CA Secret
		// of the same name, not the tool's.
		w.SeedHelmGateway(testenv.HelmGatewayNamespace, "istio-ingress", "ingress")
		theirs := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "expose-gw-ca", Namespace: testenv.HelmGatewayNamespace},
			Data: map[string][]byte{"tls.crt": []byte("x"), "tls.key": []byte("y")}}
		_, err := w.Kube.CoreV1().Secrets(testenv.HelmGatewayNamespace).Create(w.Ctx(), theirs, metav1.CreateOptions{})
		require.NoError(t, err)
		before, beforeSecrets := w.RouteObjects(), secrets(testenv.HelmGatewayNamespace)
		r := w.Kubectl("expose-gw", "-n", "tls", "shop", "--prefix", "/h", "--host", "helm.example.com", "--tls", "self-signed", "--gateway-selector", "istio=ingress")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, "error: Secret istio-ingress/expose-gw-ca exists and was not made by kubectl expose-gw (no label app.kubernetes.io/managed-by=kubectl-expose-gw): expected the tool's own, left as it is: delete or rename it to let the tool make its CA, or give --tls-secret NAME\n", r.Stderr)
		assert.Equal(t, before, w.RouteObjects())
		assert.Equal(t, beforeSecrets, secrets(testenv.HelmGatewayNamespace), "no Secret written")
		s, err := w.Kube.CoreV1().Secrets(testenv.HelmGatewayNamespace).Get(w.Ctx(), "expose-gw-ca", metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, []byte("x"), s.Data["tls.crt"], "untouched")
	})
}

// TestTLSSelfSignedGatewayAPI: the same with the Gateway API: the CA and
// the certificate in the Gateway's namespace, where Istio reads a
// listener's certificateRefs; Istio serves it on the HTTPS listener.
func TestTLSSelfSignedGatewayAPI(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.CreateApp(testenv.App{Name: "flaskapp"})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	leafName := selfsigned.LeafSecret([]string{"shop.test"})
	args := []string{"expose-gw", "flaskapp", "--api", "gateway-api", "--prefix", "/env", "--host", "shop.test", "--tls", "self-signed"}
	// istiod deploys the Gateway and reports on the route meanwhile (the
	// first Gateway's pod takes the test environment a while: as the
	// Gateway API tests do, --wait 60s).
	r := env.KubectlSyncing(300*time.Millisecond, nil, append(args, "--wait", "60s")...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.NotContains(t, r.Stderr, "Warning")
	assert.Contains(t, r.Stdout, "secret/expose-gw-ca created\n")
	assert.Contains(t, r.Stdout, "secret/"+leafName+" created\n")
	// No --ca-out: the CA just made is printed on stderr.
	pemAt := strings.Index(r.Stderr, "-----BEGIN CERTIFICATE-----")
	require.GreaterOrEqual(t, pemAt, 0, "the CA on stderr: %q", r.Stderr)
	assert.Contains(t, r.Stderr, "The tool's CA (Secret default/expose-gw-ca) signed it; trust it with curl --cacert (--ca-out FILE writes it):\n-----BEGIN CERTIFICATE-----")
	require.NoError(t, os.WriteFile(caFile, []byte(r.Stderr[pemAt:strings.Index(r.Stderr, "-----END CERTIFICATE-----")+len("-----END CERTIFICATE-----\n")]), 0o600))
	gw, err := env.GatewayAPI.GatewayV1().Gateways("default").Get(env.Ctx(), "expose-gw", metav1.GetOptions{})
	require.NoError(t, err)
	var https []string
	for _, l := range gw.Spec.Listeners {
		if l.TLS != nil {
			for _, ref := range l.TLS.CertificateRefs {
				https = append(https, string(l.Name)+" "+string(ref.Name))
			}
		}
	}
	require.Len(t, https, 1)
	assert.Contains(t, https[0], " "+leafName)
	port := 0
	for _, l := range gw.Spec.Listeners {
		if l.TLS != nil {
			port = int(l.Port)
		}
	}
	addr := env.PortForward("default", env.GatewayPod("default", "expose-gw"), port)
	status, seen, peer := httpsTo(t, addr, caFile, "shop.test", "/env/x")
	assert.Equal(t, 200, status)
	assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster, "Istio routes it over TLS")
	assert.Equal(t, []string{"shop.test"}, peer.DNSNames)
	r = env.Kubectl(args...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Contains(t, r.Stdout, "secret/expose-gw-ca unchanged\nsecret/"+leafName+" unchanged\n")
	assert.NotContains(t, r.Stderr, "BEGIN CERTIFICATE", "printed once, when made")
	assert.NotContains(t, r.Stdout, "created")
	assert.NotContains(t, r.Stdout, "configured")
}
