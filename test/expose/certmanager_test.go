package expose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/expose-gw/kubectl-expose-gw/plugin/certmanager"
	"github.com/expose-gw/kubectl-expose-gw/plugin/selfsigned"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// certManagerWorld is a cluster with cert-manager's CRDs (from its Go
// module) and its controllers played, a ClusterIssuer test-ca, and the
// file of the CA it signs with.
func certManagerWorld(t *testing.T) (*world, dynamic.Interface, string) {
	env := testenv.Start(t, testenv.Options{Kwok: true, CertManager: true})
	env.SeedWorld(testenv.WorldOptions{})
	env.CertManager.CreateClusterIssuer("test-ca")
	ca := filepath.Join(t.TempDir(), "cert-manager-ca.pem")
	require.NoError(t, os.WriteFile(ca, env.CertManager.CAPEM(), 0o600))
	return &world{Env: env, t: t}, dynamic.NewForConfigOrDie(env.Config), ca
}

// tlsObjects are the Secrets of namespaces, and their Certificates when
// dy is given, with their resourceVersions: equal lists mean none was
// written (RouteObjects has only the route objects).
func tlsObjects(t *testing.T, w *world, dy dynamic.Interface, namespaces ...string) []string {
	t.Helper()
	var out []string
	for _, ns := range namespaces {
		l, err := w.Kube.CoreV1().Secrets(ns).List(t.Context(), metav1.ListOptions{})
		require.NoError(t, err)
		for _, s := range l.Items {
			out = append(out, "secret "+ns+"/"+s.Name+"@"+s.ResourceVersion)
		}
		if dy == nil {
			continue
		}
		cl, err := dy.Resource(certmanager.Certificates).Namespace(ns).List(t.Context(), metav1.ListOptions{})
		require.NoError(t, err)
		for _, c := range cl.Items {
			out = append(out, "certificate "+ns+"/"+c.GetName()+"@"+c.GetResourceVersion())
		}
	}
	return out
}

func getCertificate(t *testing.T, dy dynamic.Interface, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := dy.Resource(certmanager.Certificates).Namespace(ns).Get(t.Context(), name, metav1.GetOptions{})
	require.NoError(t, err, "Certificate %s/%s", ns, name)
	return u
}

// TestTLSCertManager: --tls cert-manager --issuer with the Istio API
// writes a Certificate for exactly the hosts where Istio reads the
// credential (the gateway pods' namespace), in the same transaction as
// the routes; --wait waits for cert-manager's Ready, then for the route;
// Istio serves the certificate cert-manager wrote. A re-run is unchanged;
// an issuer that does not exist ends --wait with cert-manager's reason; a
// Certificate of that name the tool did not make is refused.
func TestTLSCertManager(t *testing.T) {
	w, dy, ca := certManagerWorld(t)
	w.app("default", "shop")
	name := certmanager.SecretName([]string{"shop.example.com"})
	args := []string{"expose-gw", "shop", "--prefix", "/api", "--host", "shop.example.com", "--tls", "cert-manager", "--issuer", "ClusterIssuer/test-ca"}
	r := w.Kubectl(append(args, "--wait", "60s")...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Contains(t, r.Stdout, "certificate.cert-manager.io/"+name+" created\n")
	assert.Contains(t, r.Stderr, "Certificate istio-system/"+name+" is Ready: cert-manager wrote Secret istio-system/"+name)
	assert.Contains(t, r.Stderr, "Routed after", "then --wait waits for the route, as without TLS")
	c := getCertificate(t, dy, testenv.IstioNamespace, name)
	dns, _, _ := unstructured.NestedStringSlice(c.Object, "spec", "dnsNames")
	assert.Equal(t, []string{"shop.example.com"}, dns)
	kind, _, _ := unstructured.NestedString(c.Object, "spec", "issuerRef", "kind")
	issuer, _, _ := unstructured.NestedString(c.Object, "spec", "issuerRef", "name")
	assert.Equal(t, "ClusterIssuer/test-ca", kind+"/"+issuer)
	assert.Equal(t, "kubectl-expose-gw", c.GetLabels()["app.kubernetes.io/managed-by"])
	var cred string
	for _, s := range w.gw(t, "default", "expose-gw").Spec.Servers {
		if s.GetTls() != nil {
			cred = s.GetTls().GetCredentialName()
		}
	}
	assert.Equal(t, name, cred, "the HTTPS server serves the Secret cert-manager writes")

	status, seen, peer := httpsTrusting(t, w, ca, "shop.example.com", "/api/cart")
	assert.Equal(t, 200, status)
	assert.Equal(t, "outbound|80||shop.default.svc.cluster.local", seen.Cluster, "Istio routes it over TLS")
	assert.Equal(t, []string{"shop.example.com"}, peer.DNSNames, "the certificate cert-manager issued")

	before, rv := w.RouteObjects(), c.GetResourceVersion()
	r = w.Kubectl(args...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Contains(t, r.Stdout, "certificate.cert-manager.io/"+name+" unchanged\n")
	assert.NotContains(t, r.Stdout, "created")
	assert.NotContains(t, r.Stdout, "configured")
	assert.Contains(t, r.Stderr, "kubectl wait --for=condition=Ready certificate/"+name+" -n istio-system", "without --wait: how to wait")
	assert.Equal(t, before, w.RouteObjects())
	assert.Equal(t, rv, getCertificate(t, dy, testenv.IstioNamespace, name).GetResourceVersion())

	t.Run("an issuer that does not exist", func(t *testing.T) {
		w.app("default", "notes")
		other := certmanager.SecretName([]string{"notes.example.com"})
		r := w.Kubectl("expose-gw", "notes", "--host", "notes.example.com", "--tls", "cert-manager", "--issuer", "ClusterIssuer/nope", "--wait", "3s")
		assert.Equal(t, 1, r.ExitCode)
		assert.Contains(t, r.Stderr, `error: --wait 3s: Certificate istio-system/`+other+` is not Ready: Pending: Issuing certificate as Secret does not exist; referenced ClusterIssuer "nope" not found: cert-manager has not issued it (kubectl describe certificate -n istio-system `+other+`); the objects are kept`)
		getCertificate(t, dy, testenv.IstioNamespace, other) // kept
	})
	t.Run("a Certificate the tool did not make is refused", func(t *testing.T) {
		theirs := certmanager.Certificate(testenv.IstioNamespace, []string{"theirs.example.com"}, certmanager.Issuer{Kind: "ClusterIssuer", Name: "test-ca"})
		theirs.SetLabels(nil)
		_, err := dy.Resource(certmanager.Certificates).Namespace(testenv.IstioNamespace).Create(t.Context(), theirs, metav1.CreateOptions{})
		require.NoError(t, err)
		// The played cert-manager issues it; once Ready it is left alone.
		testenv.Eventually(t, 30*time.Second, "their Certificate issued", func() (bool, error) {
			ready, _, _ := certmanager.Ready(getCertificate(t, dy, testenv.IstioNamespace, theirs.GetName()))
			return ready, nil
		})
		before, tlsBefore := w.RouteObjects(), tlsObjects(t, w, dy, testenv.IstioNamespace, "default")
		r := w.Kubectl("expose-gw", "shop", "--host", "theirs.example.com", "--tls", "cert-manager", "--issuer", "ClusterIssuer/test-ca")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, "error: Certificate istio-system/"+theirs.GetName()+" exists and was not made by kubectl expose-gw (no label app.kubernetes.io/managed-by=kubectl-expose-gw): expected the tool's own, left as it is: give --tls-secret "+theirs.GetName()+" to serve its Secret, or another --host\n", r.Stderr)
		assert.Equal(t, before, w.RouteObjects(), "nothing written")
		assert.Equal(t, tlsBefore, tlsObjects(t, w, dy, testenv.IstioNamespace, "default"), "no Secret or Certificate written")
	})
}

// TestTLSCertManagerGatewayAPI: with the Gateway API the Gateway is
// annotated cert-manager.io/cluster-issuer, which cert-manager's
// gateway-shim (played) reads to write the Certificate of the HTTPS
// listener's hostname and certificateRef; --wait waits for it; Istio
// serves it on the listener.
func TestTLSCertManagerGatewayAPI(t *testing.T) {
	w, dy, ca := certManagerWorld(t)
	w.app("default", "books")
	name := certmanager.SecretName([]string{"books.test"})
	args := []string{"expose-gw", "books", "--api", "gateway-api", "--prefix", "/books", "--host", "books.test", "--tls", "cert-manager", "--issuer", "ClusterIssuer/test-ca"}
	r := w.KubectlSyncing(300*time.Millisecond, nil, append(args, "--wait", "60s")...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Contains(t, r.Stderr, "Certificate default/"+name+" is Ready")
	gw, err := w.GatewayAPI.GatewayV1().Gateways("default").Get(w.Ctx(), "expose-gw", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "test-ca", gw.Annotations["cert-manager.io/cluster-issuer"])
	port := 0
	for _, l := range gw.Spec.Listeners {
		if l.TLS != nil {
			port = int(l.Port)
			assert.Equal(t, name, string(l.TLS.CertificateRefs[0].Name))
		}
	}
	c := getCertificate(t, dy, "default", name)
	dns, _, _ := unstructured.NestedStringSlice(c.Object, "spec", "dnsNames")
	assert.Equal(t, []string{"books.test"}, dns, "the Certificate cert-manager's gateway-shim writes for the listener")
	addr := w.PortForward("default", w.GatewayPod("default", "expose-gw"), port)
	status, seen, peer := httpsTo(t, addr, ca, "books.test", "/books/1")
	assert.Equal(t, 200, status)
	assert.Equal(t, "outbound|80||books.default.svc.cluster.local", seen.Cluster, "Istio routes it over TLS")
	assert.Equal(t, []string{"books.test"}, peer.DNSNames)

	r = w.Kubectl(args...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.NotContains(t, r.Stdout, "created")
	assert.NotContains(t, r.Stdout, "configured")

	t.Run("refusals: another issuer, our own certificate beside cert-manager's", func(t *testing.T) {
		r := w.KubectlSyncing(300*time.Millisecond, nil, "expose-gw", "books", "--api", "gateway-api", "--gateway", "mine", "--host", "mine.test", "--tls", "self-signed", "--wait", "60s")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		before, tlsBefore := w.RouteObjects(), tlsObjects(t, w, dy, "default")
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--host", "other.test", "--tls", "cert-manager", "--issuer", "letsencrypt"},
				"error: Gateway default/expose-gw is annotated cert-manager.io/cluster-issuer=test-ca: cert-manager signs its listeners with that issuer, not Issuer/letsencrypt: give --issuer ClusterIssuer/test-ca, or another --gateway\n"},
			{[]string{"--host", "other.test", "--tls", "self-signed"},
				"error: Gateway default/expose-gw is annotated cert-manager.io/cluster-issuer=test-ca: cert-manager would replace Secret " + selfsigned.LeafSecret([]string{"other.test"}) + " with a certificate of that issuer: give --tls cert-manager --issuer ClusterIssuer/test-ca, or --gateway NAME for a Gateway of its own\n"},
			{[]string{"--gateway", "mine", "--host", "more.test", "--tls", "cert-manager", "--issuer", "ClusterIssuer/test-ca"},
				"error: Gateway default/mine has listener https with certificate " + selfsigned.LeafSecret([]string{"mine.test"}) + ", not cert-manager's: the issuer annotation would have cert-manager issue it too: give --gateway NAME for a Gateway of its own\n"},
		} {
			r := w.Kubectl(append([]string{"expose-gw", "books", "--api", "gateway-api"}, c.args...)...)
			assert.Equal(t, 1, r.ExitCode, "%v", c.args)
			assert.Equal(t, c.want, r.Stderr, "%v", c.args)
		}
		assert.Equal(t, before, w.RouteObjects(), "nothing written")
		assert.Equal(t, tlsBefore, tlsObjects(t, w, dy, "default"), "no Secret or Certificate written")
	})
}

// TestTLSCertManagerRefusals: without cert-manager's CRDs, --tls
// cert-manager is refused in one line with either API, nothing written;
// so is every bad combination of the flags.
func TestTLSCertManagerRefusals(t *testing.T) {
	w := start(t)
	w.app("default", "shop")
	before, tlsBefore := w.RouteObjects(), tlsObjects(t, w, nil, testenv.IstioNamespace, "default")
	for _, c := range []struct{ args, want string }{
		{"--host a.example.com --tls cert-manager --issuer ClusterIssuer/x", "error: --tls cert-manager: cert-manager is not installed: the cluster serves no certificates.cert-manager.io (install cert-manager, or use --tls self-signed or --tls-secret NAME)\n"},
		{"--api gateway-api --host a.example.com --tls cert-manager --issuer x", "error: --tls cert-manager: cert-manager is not installed: the cluster serves no certificates.cert-manager.io (install cert-manager, or use --tls self-signed or --tls-secret NAME)\n"},
		{"--host a.example.com --issuer x", `error: --issuer "x" without --tls cert-manager: it names the cert-manager issuer of --tls cert-manager` + "\n"},
		{"--host a.example.com --tls self-signed --issuer x", `error: --issuer "x" without --tls cert-manager: it names the cert-manager issuer of --tls cert-manager` + "\n"},
		{"--host a.example.com --tls cert-manager", "error: --tls cert-manager needs --issuer [ClusterIssuer/|Issuer/]NAME: the cert-manager issuer that signs the certificate\n"},
		{"--host a.example.com --tls cert-manager --issuer Foo/x", `error: invalid --issuer "Foo/x": expected NAME, Issuer/NAME or ClusterIssuer/NAME` + "\n"},
		{"--host a.example.com --tls cert-manager --issuer ClusterIssuer/Bad_Name", `error: invalid --issuer "ClusterIssuer/Bad_Name": expected an issuer name (`},
		{"--host a.example.com --tls cert-manager --issuer x --tls-secret s", `error: --tls cert-manager and --tls-secret "s" both choose the certificate: give one` + "\n"},
		{"--host a.example.com --tls cert-manager --issuer x --ca-out /tmp/ca.pem", `error: --ca-out "/tmp/ca.pem" without --tls self-signed: there is no CA of the tool's to write` + "\n"},
		{"--tls cert-manager --issuer x", `error: --tls cert-manager for host "*": a certificate names its hosts: give --host NAME (a *.domain wildcard is fine)` + "\n"},
		{"--host a.example.com --tls bogus", `error: invalid --tls "bogus": expected self-signed (a certificate from the tool's own CA) or cert-manager (one issued by cert-manager, with --issuer), or --tls-secret NAME for a Secret of yours` + "\n"},
	} {
		r := w.Kubectl(append([]string{"expose-gw", "shop", "--prefix", "/x"}, strings.Fields(c.args)...)...)
		assert.Equal(t, 1, r.ExitCode, c.args)
		assert.True(t, strings.HasPrefix(r.Stderr, c.want), "%s: %q", c.args, r.Stderr)
		assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one line: %q", r.Stderr)
	}
	assert.Equal(t, before, w.RouteObjects(), "nothing written")
	assert.Equal(t, tlsBefore, tlsObjects(t, w, nil, testenv.IstioNamespace, "default"), "no Secret written")
}
