package expose

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestNames covers the names the tool gives servers and VirtualServices
// and the namespace part of Gateway server hosts, on one control plane:
// look-alike credentials, hosts and gateways get objects of their own, a
// Gateway admitting only another namespace's VirtualServices is not used,
// and a VirtualService holding the tool's name for other hosts is never
// merged into. The subtest in default, with host "*", runs last.
func TestNames(t *testing.T) {
	w := start(t)
	t.Run("look-alike credentials get HTTPS servers of their own", func(t *testing.T) { namesLookAlikeCredentials(t, w) })
	t.Run("look-alike hosts and gateways get VirtualServices of their own", func(t *testing.T) { namesLookAlikeVirtualServices(t, w) })
	t.Run("a VirtualService with the tool's name for other hosts is refused, --force or not", func(t *testing.T) { namesNamesakeRefused(t, w) })
	t.Run("a server host of another namespace is not used", func(t *testing.T) { namesServerHostNamespace(t, w) })
}

// namesPresented is the certificate the Istio gateway presents on its
// HTTPS port for SNI host; it fails the test unless it verifies for host
// against the test CA.
func namesPresented(t *testing.T, w *world, host string) *x509.Certificate {
	t.Helper()
	conn, err := tls.Dial("tcp", w.IstioGateway.PortAddr(testenv.IstioNamespace, 8443), &tls.Config{ServerName: host, InsecureSkipVerify: true})
	require.NoError(t, err)
	defer conn.Close()
	certs := conn.ConnectionState().PeerCertificates
	require.NotEmpty(t, certs)
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err = certs[0].Verify(x509.VerifyOptions{DNSName: host, Roots: w.CAPool(), Intermediates: inter})
	assert.NoError(t, err, "the certificate presented for %s (names %v)", host, certs[0].DNSNames)
	return certs[0]
}

// namesLookAlikeCredentials: the TLS Secrets example.com-tls (a.example.com)
// and example-com-tls (b.example.com) read alike as names; each host still
// gets its own HTTPS server, its own certificate and its own Service.
func namesLookAlikeCredentials(t *testing.T, w *world) {
	const ns = "lookalike"
	w.app(ns, "web-a")
	w.app(ns, "web-b")
	w.CreateTLSSecret(testenv.IstioNamespace, "example.com-tls", "a.example.com")
	w.CreateTLSSecret(testenv.IstioNamespace, "example-com-tls", "b.example.com")
	r := w.Kubectl("expose-gw", "-n", ns, "web-a", "--host", "a.example.com", "--tls-secret", "example.com-tls", "--prefix", "/")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	r = w.Kubectl("expose-gw", "-n", ns, "web-b", "--host", "b.example.com", "--tls-secret", "example-com-tls", "--prefix", "/")
	require.Equal(t, 0, r.ExitCode, r.Stderr)

	hosts := map[string][]string{}
	names := map[string]string{}
	for _, s := range w.gw(t, ns, "expose-gw").Spec.Servers {
		if s.Port.Protocol == "HTTPS" {
			hosts[s.Tls.CredentialName] = s.Hosts
			names[s.Tls.CredentialName] = s.Name
		}
	}
	assert.Equal(t, map[string][]string{"example.com-tls": {"a.example.com"}, "example-com-tls": {"b.example.com"}}, hosts,
		"each host on the server of its own credential")
	assert.Equal(t, map[string]string{"example.com-tls": "https-443-example-com-tls-0938f843", "example-com-tls": "https-443-example-com-tls"}, names)

	for host, svc := range map[string]string{"a.example.com": "web-a", "b.example.com": "web-b"} {
		assert.Equal(t, []string{host}, namesPresented(t, w, host).DNSNames, "the certificate of %s's own Secret", host)
		status, seen := sendRaw(t, w, 8443, host, "/page")
		assert.Equal(t, 200, status, host)
		assert.Equal(t, "outbound|80||"+svc+"."+ns+".svc.cluster.local", seen.Cluster, host)
		assert.Equal(t, "/page", seen.Path)
	}

	// Exposed again, both are as they are: nothing written.
	before := w.snapshot(t, ns)
	r = w.Kubectl("expose-gw", "-n", ns, "web-a", "--host", "a.example.com", "--tls-secret", "example.com-tls", "--prefix", "/")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, before, w.snapshot(t, ns))
}

// namesLookAlikeVirtualServices: host a.com-x on the tool's Gateway and host
// a.com on Gateway x read alike (expose-gw-a.com-x); both are exposed, each
// routed to its Service. A VirtualService an earlier version named without
// the hash is still the one of its host and gateway.
func namesLookAlikeVirtualServices(t *testing.T, w *world) {
	const ns = "vsnames"
	w.app(ns, "web")
	w.app(ns, "api")
	r := w.Kubectl("expose-gw", "-n", ns, "web", "--host", "a.com-x", "--prefix", "/")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, "virtualservice.networking.istio.io/expose-gw-a.com-x created", lines(r.Stdout)[1])
	r = w.Kubectl("expose-gw", "-n", ns, "api", "--host", "a.com", "--gateway", "x", "--prefix", "/")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{
		"gateway.networking.istio.io/x created",
		"virtualservice.networking.istio.io/expose-gw-a.com-x-bdc25b0a created",
	}, lines(r.Stdout)[:2])
	web := w.vs(t, ns, "expose-gw-a.com-x")
	assert.Equal(t, []string{"a.com-x"}, web.Spec.Hosts)
	assert.Equal(t, []string{"expose-gw"}, web.Spec.Gateways)
	api := w.vs(t, ns, "expose-gw-a.com-x-bdc25b0a")
	assert.Equal(t, []string{"a.com"}, api.Spec.Hosts)
	assert.Equal(t, []string{"x"}, api.Spec.Gateways)
	_, svc := send(t, w, 8080, "a.com-x", "/p")
	assert.Equal(t, "web."+ns+".svc.cluster.local", svc)
	_, svc = send(t, w, 8080, "a.com", "/p")
	assert.Equal(t, "api."+ns+".svc.cluster.local", svc)

	// The VirtualService an earlier version wrote for old.example.com on
	// Gateway x (no hash in its name) gets the new route.
	old := userVS(ns, "expose-gw-old.example.com-x", "old.example.com", "x", "/")
	old.Labels = map[string]string{route.ManagedByLabel: route.ManagedBy}
	old.Spec.Http[0].Name = "web"
	old.Spec.Http[0].Route[0].Destination.Host = "web." + ns + ".svc.cluster.local"
	_, err := w.Istio.NetworkingV1().VirtualServices(ns).Create(w.Ctx(), old, metav1.CreateOptions{})
	require.NoError(t, err)
	r = w.Kubectl("expose-gw", "-n", ns, "api", "--host", "old.example.com", "--gateway", "x", "--prefix", "/v2")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{
		"gateway.networking.istio.io/x configured",
		"virtualservice.networking.istio.io/expose-gw-old.example.com-x configured",
	}, lines(r.Stdout)[:2])
	assert.Equal(t, []string{"api prefix /v2", "web prefix /"}, routes(w.vs(t, ns, "expose-gw-old.example.com-x")))
	assert.Len(t, w.snapshot(t, ns), 5, "two Gateways, three VirtualServices")
	_, svc = send(t, w, 8080, "old.example.com", "/v2/x")
	assert.Equal(t, "api."+ns+".svc.cluster.local", svc)
	_, svc = send(t, w, 8080, "old.example.com", "/v1")
	assert.Equal(t, "web."+ns+".svc.cluster.local", svc)
}

// namesNamesakeRefused: a VirtualService named expose-gw-shop.example.com
// that binds another host on another gateway is never given host
// shop.example.com and the tool's Gateway, --force or not: each of its hosts
// would then route on each of its gateways.
func namesNamesakeRefused(t *testing.T, w *world) {
	const ns = "vsnamesake"
	w.app(ns, "web")
	_, err := w.Istio.NetworkingV1().VirtualServices(ns).Create(w.Ctx(), userVS(ns, "expose-gw-shop.example.com", "other.example.com", "elsewhere", "/"), metav1.CreateOptions{})
	require.NoError(t, err)
	before := w.snapshot(t, ns)
	for _, force := range []bool{false, true} {
		args := []string{"expose-gw", "-n", ns, "web", "--host", "shop.example.com", "--prefix", "/"}
		if force {
			args = append(args, "--force")
		}
		r := w.Kubectl(args...)
		assert.Equal(t, 1, r.ExitCode, "force=%v", force)
		assert.Equal(t, `error: virtualservice vsnamesake/expose-gw-shop.example.com exists and binds other hosts or gateways (hosts other.example.com; gateways elsewhere), not host "shop.example.com" on gateway vsnamesake/expose-gw: adding these to it would route each of its hosts on each of its gateways; delete or rename it, or choose another --host or --gateway`+"\n", r.Stderr, "force=%v", force)
		assert.Empty(t, r.Stdout)
		assert.Equal(t, before, w.snapshot(t, ns), "nothing written (force=%v)", force)
	}
	assert.Equal(t, []string{"other.example.com"}, w.vs(t, ns, "expose-gw-shop.example.com").Spec.Hosts)
}

// namesServerHostNamespace: a Gateway whose server host is
// "istio-system/*" admits only VirtualServices of istio-system. Named with
// --gateway, it is refused; a user's Gateway of default with that host is
// not reused; the tool writes its own, and Istio routes the request.
func namesServerHostNamespace(t *testing.T, w *world) {
	ctx := w.Ctx()
	_, err := w.Istio.NetworkingV1().Gateways(testenv.IstioNamespace).Create(ctx, userGateway(testenv.IstioNamespace, "shared", "istio-system/*"), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = w.Istio.NetworkingV1().Gateways("default").Create(ctx, userGateway("default", "theirs", "istio-system/*"), metav1.CreateOptions{})
	require.NoError(t, err)
	before, beforeIstio := w.snapshot(t, "default"), w.snapshot(t, testenv.IstioNamespace)

	r := w.Kubectl("expose-gw", "flaskapp", "--prefix", "/env", "--gateway", "istio-system/shared")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, `error: gateway istio-system/shared has server host "istio-system/*" (port 80), which admits only VirtualServices of namespace istio-system, not default: it needs a host entry admitting namespace default, such as "*/*" or "default/*"; add one to the gateway, name another with --gateway, or add --force to add a server for it`+"\n", r.Stderr)
	assert.Empty(t, r.Stdout)
	assert.Equal(t, before, w.snapshot(t, "default"), "nothing written")
	assert.Equal(t, beforeIstio, w.snapshot(t, testenv.IstioNamespace), "nothing written")

	r = w.Kubectl("expose-gw", "flaskapp", "--prefix", "/env")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{
		"gateway.networking.istio.io/expose-gw created",
		"virtualservice.networking.istio.io/expose-gw-any created",
	}, lines(r.Stdout)[:2])
	assert.Equal(t, []string{"expose-gw"}, w.vs(t, "default", "expose-gw-any").Spec.Gateways)
	assert.Equal(t, beforeIstio, w.snapshot(t, testenv.IstioNamespace), "istio-system/shared untouched")
	status, seen := sendRaw(t, w, 8080, "flask.example.com", "/env")
	assert.Equal(t, 200, status)
	assert.Equal(t, "outbound|80||flaskapp.default.svc.cluster.local", seen.Cluster)
	assert.Equal(t, "/env", seen.Path)
}
