package expose

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// label64 is a DNS label one character longer than Istio takes.
var label64 = strings.Repeat("a", 64)

// badSecrets are Secrets in the gateway's namespace that Istio cannot
// serve as a certificate: an Opaque one without the keys, one whose
// tls.crt is not PEM, one whose key is another certificate's.
func badSecrets(t *testing.T, w *world) {
	t.Helper()
	a := w.CreateTLSSecret(testenv.IstioNamespace, "bad-a", "bad.example.com")
	b := w.CreateTLSSecret(testenv.IstioNamespace, "bad-b", "bad.example.com")
	for _, s := range []*corev1.Secret{
		{ObjectMeta: metav1.ObjectMeta{Name: "opaque-foo"}, Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"foo": []byte("bar")}},
		{ObjectMeta: metav1.ObjectMeta{Name: "not-pem"}, Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("foo"), "tls.key": a.Data["tls.key"]}},
		{ObjectMeta: metav1.ObjectMeta{Name: "mismatched"}, Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": a.Data["tls.crt"], "tls.key": b.Data["tls.key"]}},
	} {
		_, err := w.Kube.CoreV1().Secrets(testenv.IstioNamespace).Create(w.Ctx(), s, metav1.CreateOptions{})
		require.NoError(t, err)
	}
}

// exposeRefusals are TestExpose's subtests of what expose refuses (RBAC,
// bad input, Istio missing), on its shared control plane; the last one
// removes the Istio CRDs.
func exposeRefusals(t *testing.T, w *world) {
	ctx := w.Ctx()
	t.Run("RBAC: may write Gateways but not VirtualServices", func(t *testing.T) {
		w.app("rbac", "flaskapp")
		kc := w.AddUser("gw-writer", nil)
		w.Grant("gw-writer", "", []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"services", "pods", "nodes"}, Verbs: []string{"get", "list"}}})
		w.Grant("gw-writer", "rbac", []rbacv1.PolicyRule{
			{APIGroups: []string{"networking.istio.io"}, Resources: []string{"gateways"}, Verbs: []string{"get", "list", "create", "update", "delete"}},
			{APIGroups: []string{"networking.istio.io"}, Resources: []string{"virtualservices"}, Verbs: []string{"get", "list"}},
		})
		before := w.snapshot(t, "rbac")
		r := w.KubectlAs(kc, "expose-gw", "-n", "rbac", "flaskapp", "--prefix", "/env")
		assert.Equal(t, 1, r.ExitCode)
		assert.True(t, strings.HasPrefix(r.Stderr, `error: forbidden: you may not create virtualservices.networking.istio.io (ask for RBAC permission to "create" "virtualservices.networking.istio.io"): `), r.Stderr)
		assert.Equal(t, 1, len(lines(r.Stderr)), "one line")
		assert.Equal(t, before, w.snapshot(t, "rbac"), "no Gateway left behind")
	})

	// The warnings of a plan are said once it is written: a command that
	// fails says only its error (here the new server's host overlaps a
	// namespace's "quiet-coll/*" on the same pods, which is worded as such,
	// not as another Gateway serving the host).
	t.Run("a failing expose says only its error, not the warnings of what it would have written", func(t *testing.T) {
		w.app("quiet", "flaskapp")
		w.EnsureNamespace("quiet-coll")
		_, err := w.Istio.NetworkingV1().Gateways("quiet-coll").Create(ctx, userGateway("quiet-coll", "coll", "quiet-coll/*"), metav1.CreateOptions{})
		require.NoError(t, err)
		args := []string{"expose-gw", "-n", "quiet", "flaskapp", "--host", "quiet.example.com", "--prefix", "/quiet"}
		r := w.Kubectl(append(args, "--dry-run=server")...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, lines(r.Stderr), `Warning: gateway quiet-coll/coll also has host "quiet-coll/*" on port 80 for the same pods (istio=ingressgateway), overlapping host "quiet.example.com": two Gateways with the same selector, port and overlapping hosts conflict`,
			"the plan has the warning")

		kc := w.AddUser("quiet-writer", nil)
		w.Grant("quiet-writer", "", []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"services", "pods", "nodes"}, Verbs: []string{"get", "list"}},
			{APIGroups: []string{"networking.istio.io"}, Resources: []string{"gateways", "virtualservices"}, Verbs: []string{"get", "list"}},
		})
		w.Grant("quiet-writer", "quiet", []rbacv1.PolicyRule{
			{APIGroups: []string{"networking.istio.io"}, Resources: []string{"gateways"}, Verbs: []string{"create", "update", "delete"}},
		})
		before := w.snapshot(t, "quiet")
		r = w.KubectlAs(kc, args...)
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, 1, len(lines(r.Stderr)), "one line: %s", r.Stderr)
		assert.True(t, strings.HasPrefix(r.Stderr, `error: forbidden: you may not create virtualservices.networking.istio.io`), r.Stderr)
		assert.Empty(t, r.Stdout)
		assert.Equal(t, before, w.snapshot(t, "quiet"), "no Gateway left behind")
	})

	t.Run("RBAC: namespace-only VirtualServices: written, with a warning that other namespaces went unchecked", func(t *testing.T) {
		w.app("rbac2", "flaskapp")
		kc := w.AddUser("ns-writer", nil)
		w.Grant("ns-writer", "", []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"services", "pods", "nodes"}, Verbs: []string{"get", "list"}}})
		w.Grant("ns-writer", "rbac2", []rbacv1.PolicyRule{
			{APIGroups: []string{"networking.istio.io"}, Resources: []string{"gateways", "virtualservices"}, Verbs: []string{"get", "list", "create", "update", "delete"}},
		})
		r := w.KubectlAs(kc, "expose-gw", "-n", "rbac2", "flaskapp", "--host", "rbac2.example.com", "--prefix", "/env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, lines(r.Stderr), "Warning: cannot list Gateways or VirtualServices in all namespaces (forbidden): routes of other namespaces that Istio merges into the same virtual hosts were not checked")
	})

	t.Run("bad input: one line, non-zero exit, nothing changed", func(t *testing.T) {
		w.app("bad", "flaskapp")
		w.CreateApp(testenv.App{Name: "two", Namespace: "bad", Ports: []corev1.ServicePort{{Name: "http", Port: 80}, {Name: "admin", Port: 8081}}})
		require.Equal(t, 0, w.Kubectl("expose-gw", "-n", "bad", "flaskapp", "--host", "bad.example.com", "--prefix", "/env").ExitCode)
		cases := []struct {
			args []string
			want string
		}{
			{[]string{"flaskapp", "--prefix", "env"}, `invalid --prefix "env": expected a path starting with "/"`},
			{[]string{"flaskapp", "--exact", "/a b"}, `invalid --exact "/a b": expected a path without spaces, control characters, '?' or '#'`},
			{[]string{"flaskapp", "--host", "Flask_App.example.com"}, `invalid --host "Flask_App.example.com": expected a DNS name (like flask.example.com), "*" or "*.domain"`},
			{[]string{"flaskapp", "--host", "a.*.com"}, `invalid --host "a.*.com": expected a DNS name (like flask.example.com), "*" or "*.domain"`},
			{[]string{"nosuchapp"}, `service "nosuchapp" not found in namespace "bad": expected an existing Service (see kubectl get services -n bad)`},
			{[]string{"deploy/flaskapp"}, `invalid SERVICE "deploy/flaskapp": expected NAME or svc/NAME`},
			{[]string{"two"}, `service bad/two has several ports (http 80, admin 8081): choose one with --port`},
			{[]string{"two", "--port", "9999"}, `invalid --port "9999": service bad/two has no such port (it has http 80, admin 8081)`},
			{[]string{"flaskapp", "--port", "0"}, `invalid --port "0": expected a port number (1-65535) or a port name`},
			{[]string{"flaskapp", "--gateway-selector", "istio"}, `invalid --gateway-selector "istio": expected KEY=VALUE[,KEY=VALUE...] with label keys and values`},
			{[]string{"flaskapp", "--dry-run=maybe"}, `invalid --dry-run "maybe": expected none, client or server`},
			{[]string{"flaskapp", "-o", "wide"}, `invalid --output "wide": expected yaml, json or name`},
			{[]string{"flaskapp", "--mesh"}, `invalid --mesh with --host "*": in-mesh routes need a host name (e.g. --host flaskapp.example.com)`},
			{[]string{"two", "--port", "http", "--host", "bad.example.com", "--prefix", "/env"}, `host "bad.example.com": route prefix /env already sends to flaskapp.bad.svc.cluster.local:80 (route "flaskapp"): delete it first or add --force to replace it (virtualservice bad/expose-gw-bad.example.com)`},
			{[]string{"delete", "two"}, `no route of service bad/two to delete`},
			{[]string{"delete", "flaskapp", "--prefix", "x"}, `invalid --prefix "x": expected a path starting with "/"`},
			{[]string{"list", "-o", "name"}, `invalid --output "name": expected wide, yaml or json`},
			// Hosts as Istio reads them: labels of at most 63 characters.
			{[]string{"flaskapp", "--host", label64 + ".example.com"}, `invalid --host "` + label64 + `.example.com": expected DNS labels of at most 63 characters ("` + label64 + `" has 64)`},
			// Paths as the Gateway API's HTTPRoute CRD reads them, for both APIs.
			{[]string{"flaskapp", "--prefix", "/a%zz"}, `invalid --prefix "/a%zz": expected "%" to start an escape of two hex digits (like %20)`},
			{[]string{"flaskapp", "--exact", "/a/../b"}, `invalid --exact "/a/../b": expected a path without "." or ".." segments`},
			{[]string{"flaskapp", "--prefix", "/env", "--rewrite", "/a//b"}, `invalid --rewrite "/a//b": expected a path without empty segments ("//")`},
			{[]string{"delete", "flaskapp", "--prefix", "/a/."}, `invalid --prefix "/a/.": expected a path without "." or ".." segments`},
			{[]string{"delete", "flaskapp", "--exact", "/a%2fb"}, `invalid --exact "/a%2fb": expected a path without an escaped "/" (%2f)`},
			// An extra argument is named, by every command taking a SERVICE.
			{[]string{"flaskapp", "b"}, `unexpected argument "b": expected one SERVICE`},
			{[]string{"delete", "flaskapp", "b"}, `unexpected argument "b": expected one SERVICE`},
			{[]string{"url", "flaskapp", "b"}, `unexpected argument "b": expected one SERVICE`},
			{[]string{"proxy", "flaskapp", "b"}, `unexpected argument "b": expected one SERVICE`},
			{[]string{"delete"}, `missing SERVICE: expected one SERVICE (kubectl expose-gw delete SERVICE)`},
			{[]string{"flaskapp", "--request-timeout", "bogus"}, `invalid --request-timeout "bogus": expected a duration such as 30s or 1m, or 0 for none`},
			{[]string{"list", "--request-timeout", "bogus"}, `invalid --request-timeout "bogus": expected a duration such as 30s or 1m, or 0 for none`},
			// A Secret Istio cannot serve as a certificate.
			{[]string{"flaskapp", "--host", "bad.example.com", "--tls-secret", "opaque-foo"},
				`invalid --tls-secret "opaque-foo": expected a TLS Secret (type kubernetes.io/tls, keys tls.crt and tls.key, or cert and key), but secret istio-system/opaque-foo of type Opaque has keys foo`},
			{[]string{"flaskapp", "--host", "bad.example.com", "--tls-secret", "not-pem"},
				`invalid --tls-secret "not-pem": expected a PEM certificate in tls.crt of secret istio-system/not-pem: no PEM CERTIFICATE block`},
			{[]string{"flaskapp", "--host", "bad.example.com", "--tls-secret", "mismatched"},
				`invalid --tls-secret "mismatched": expected tls.key of secret istio-system/mismatched to be the PEM private key of its certificate (tls.crt): tls: private key does not match public key`},
		}
		badSecrets(t, w)
		before := w.snapshot(t, "bad")
		for _, c := range cases {
			r := w.Kubectl(append([]string{"expose-gw", "-n", "bad"}, c.args...)...)
			assert.Equal(t, 1, r.ExitCode, c.args)
			assert.Equal(t, "error: "+c.want+"\n", r.Stderr, c.args)
			assert.Empty(t, r.Stdout, c.args)
			assert.Equal(t, before, w.snapshot(t, "bad"), c.args)
		}
	})

	// Last: it removes the Istio CRDs from the shared control plane.
	t.Run("Istio not installed", func(t *testing.T) {
		r := w.Kubectl("delete", "crd", "gateways.networking.istio.io", "virtualservices.networking.istio.io")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		testenv.Eventually(t, 30_000_000_000, "the CRDs gone", func() (bool, error) {
			_, err := w.Istio.NetworkingV1().Gateways("default").List(ctx, metav1.ListOptions{})
			return err != nil, nil
		})
		r = w.Kubectl("expose-gw", "flaskapp")
		assert.Equal(t, 1, r.ExitCode)
		assert.True(t, strings.HasPrefix(r.Stderr, "error: cannot list gateways.networking.istio.io: the networking.istio.io API is not served by this cluster (is Istio installed?)"), r.Stderr)
		assert.Equal(t, 1, len(lines(r.Stderr)))
	})
}
