package expose

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestCrossNamespace covers Gateways shared across namespaces, on one
// control plane.
func TestCrossNamespace(t *testing.T) {
	w := start(t)
	t.Run("delete keeps the hosts of other namespaces", func(t *testing.T) { deleteKeepsOtherNamespacesHosts(t, w) })
	t.Run("a Gateway of another namespace serving the host is warned of", func(t *testing.T) { gatewayOfAnotherNamespaceWarns(t, w) })
}

// deleteKeepsOtherNamespacesHosts: a VirtualService of namespace xb bound
// to xa/expose-gw keeps its host on that Gateway when xa deletes its own
// route; a user who may not list VirtualServices cluster-wide gets the
// Gateway kept as it is, and a warning.
func deleteKeepsOtherNamespacesHosts(t *testing.T, w *world) {
	for _, ns := range []string{"xa", "xb"} {
		w.app(ns, "flaskapp")
	}
	r := w.Kubectl("expose-gw", "-n", "xa", "flaskapp", "--host", "a.example.com")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	r = w.Kubectl("expose-gw", "-n", "xb", "flaskapp", "--host", "b.example.com", "--gateway", "xa/expose-gw")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	require.Equal(t, []string{"a.example.com", "b.example.com"}, w.gw(t, "xa", "expose-gw").Spec.Servers[0].Hosts)

	r = w.Kubectl("expose-gw", "-n", "xa", "delete", "flaskapp")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{
		"virtualservice.networking.istio.io/expose-gw-a.example.com deleted",
		"gateway.networking.istio.io/expose-gw configured",
	}, lines(r.Stdout))
	assert.Equal(t, []string{"b.example.com"}, w.gw(t, "xa", "expose-gw").Spec.Servers[0].Hosts, "xb's host stays")
	assert.Equal(t, []string{"xa/expose-gw"}, w.vs(t, "xb", "expose-gw-b.example.com-xa-expose-gw-2ee86f78").Spec.Gateways)

	t.Run("forbidden to list cluster-wide: the Gateway is kept", func(t *testing.T) {
		r := w.Kubectl("expose-gw", "-n", "xa", "flaskapp", "--host", "a.example.com")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		kc := w.AddUser("ns-only", nil)
		w.Grant("ns-only", "xa", []rbacv1.PolicyRule{
			{APIGroups: []string{"networking.istio.io"}, Resources: []string{"gateways", "virtualservices"}, Verbs: []string{"get", "list", "create", "update", "delete"}},
		})
		gwBefore := w.gw(t, "xa", "expose-gw")
		r = w.KubectlAs(kc, "expose-gw", "-n", "xa", "delete", "flaskapp")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{"virtualservice.networking.istio.io/expose-gw-a.example.com deleted"}, lines(r.Stdout))
		assert.Equal(t, []string{
			"Warning: cannot list VirtualServices in all namespaces (forbidden), so routes of other namespaces may still use the Gateway: it is kept as it is",
			// Not allowed to read the Gateway API: said, as list says it.
			`Warning: forbidden: you may not list gateways.gateway.networking.k8s.io (ask for RBAC permission to "list" "gateways.gateway.networking.k8s.io"): gateways.gateway.networking.k8s.io is forbidden: User "ns-only" cannot list resource "gateways" in API group "gateway.networking.k8s.io" in the namespace "xa": only the Istio API's routes are deleted`,
		}, lines(r.Stderr))
		assert.Equal(t, gwBefore.ResourceVersion, w.gw(t, "xa", "expose-gw").ResourceVersion)
	})
}

// gatewayOfAnotherNamespaceWarns: a new server for a host that a Gateway
// of another namespace serves on the same port for the same pods is
// written, with a warning naming that Gateway.
func gatewayOfAnotherNamespaceWarns(t *testing.T, w *world) {
	w.app("xc", "flaskapp")
	w.app("xc-shop", "legacy")
	_, err := w.Istio.NetworkingV1().Gateways("xc-shop").Create(w.Ctx(), userGateway("xc-shop", "shop", "*.shop.example.com"), metav1.CreateOptions{})
	require.NoError(t, err)
	r := w.Kubectl("expose-gw", "-n", "xc", "flaskapp", "--host", "a.shop.example.com")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Contains(t, lines(r.Stderr), `Warning: gateway xc-shop/shop also serves host "a.shop.example.com" on port 80 for the same pods (istio=ingressgateway): two Gateways with the same selector, port and host conflict; consider --gateway xc-shop/shop`)
	r = w.Kubectl("expose-gw", "-n", "xc", "flaskapp", "--host", "a.example.org")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.NotContains(t, r.Stderr, "Warning: gateway")
}
