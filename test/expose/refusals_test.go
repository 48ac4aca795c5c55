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

	t.Run("RBAC: namespace-only VirtualServices: written, with a warning that other namespaces went unchecked", func(t *testing.T) {
		w.app("rbac2", "flaskapp")
		kc := w.AddUser("ns-writer", nil)
		w.Grant("ns-writer", "", []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"services", "pods", "nodes"}, Verbs: []string{"get", "list"}}})
		w.Grant("ns-writer", "rbac2", []rbacv1.PolicyRule{
			{APIGroups: []string{"networking.istio.io"}, Resources: []string{"gateways", "virtualservices"}, Verbs: []string{"get", "list", "create", "update", "delete"}},
		})
		r := w.KubectlAs(kc, "expose-gw", "-n", "rbac2", "flaskapp", "--host", "rbac2.example.com", "--prefix", "/env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, lines(r.Stderr), "warning: cannot list Gateways or VirtualServices in all namespaces (forbidden): routes of other namespaces that Istio merges into the same virtual hosts were not checked")
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
		}
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
