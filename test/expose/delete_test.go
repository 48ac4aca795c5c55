package expose

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestDeleteRoutes covers delete --force (routes expose --force wrote into
// a user's VirtualService), Gateway pruning with a user's VirtualService
// bound to the tool's Gateway, and --ignore-not-found, on one control plane.
func TestDeleteRoutes(t *testing.T) {
	w := start(t)
	t.Run("--force removes the routes expose --force wrote into a user's VirtualService", func(t *testing.T) { deleteForced(t, w) })
	t.Run("a user's VirtualService bound to the tool's Gateway keeps its host", func(t *testing.T) { deleteKeepsUserHost(t, w) })
	t.Run("--ignore-not-found", func(t *testing.T) { deleteIgnoreNotFound(t, w) })
	t.Run("forbidden to list cluster-wide: --force works, the Gateway is kept", func(t *testing.T) { deleteForcedNamespaceOnly(t, w) })
	t.Run("bad input: one line, non-zero exit, nothing changed", func(t *testing.T) { deleteBadInput(t, w) })
}

func deleteForced(t *testing.T, w *world) {
	ctx := w.Ctx()
	w.app("df", "flaskapp")
	w.app("df", "legacy")
	for _, h := range []struct{ gw, vs, host, prefix string }{
		{"shop", "legacy", "shop.example.com", "/"},
		{"solo", "solo", "solo.example.com", "/env"}, // its one route is replaced by expose --force
	} {
		_, err := w.Istio.NetworkingV1().Gateways("df").Create(ctx, userGateway("df", h.gw, h.host), metav1.CreateOptions{})
		require.NoError(t, err)
		_, err = w.Istio.NetworkingV1().VirtualServices("df").Create(ctx, userVS("df", h.vs, h.host, h.gw, h.prefix), metav1.CreateOptions{})
		require.NoError(t, err)
		r := w.Kubectl("expose-gw", "-n", "df", "flaskapp", "--host", h.host, "--prefix", "/env", "--force")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
	}
	assert.Equal(t, []string{"flaskapp prefix /env", " prefix /"}, routes(w.vs(t, "df", "legacy")))
	assert.Equal(t, []string{"flaskapp prefix /env"}, routes(w.vs(t, "df", "solo")))
	_, svc := send(t, w, 8080, "shop.example.com", "/env")
	assert.Equal(t, "flaskapp.df.svc.cluster.local", svc)

	// Without --force: the error says where they are and what removes them.
	before := w.snapshot(t, "df")
	for _, extra := range [][]string{nil, {"--ignore-not-found"}} {
		r := w.Kubectl(append([]string{"expose-gw", "-n", "df", "delete", "flaskapp"}, extra...)...)
		assert.Equal(t, 1, r.ExitCode, extra)
		assert.Equal(t, "error: no route of service df/flaskapp to delete in the VirtualServices kubectl-expose-gw manages, "+
			"but it has routes in VirtualServices kubectl-expose-gw does not manage (written there by expose --force): "+
			"df/legacy prefix /env, df/solo prefix /env; add --force to remove them\n", r.Stderr, extra)
		assert.Empty(t, r.Stdout, extra)
		assert.Equal(t, before, w.snapshot(t, "df"), extra)
	}

	// --force: the route goes, the rest of the user's objects stays.
	shopGw := w.gw(t, "df", "shop")
	r := w.Kubectl("expose-gw", "-n", "df", "delete", "flaskapp", "--host", "shop.example.com", "--force")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{"virtualservice.networking.istio.io/legacy configured"}, lines(r.Stdout))
	assert.Empty(t, r.Stderr)
	legacy := w.vs(t, "df", "legacy")
	assert.Equal(t, []string{" prefix /"}, routes(legacy))
	assert.Equal(t, []string{"shop.example.com"}, legacy.Spec.Hosts)
	assert.Equal(t, []string{"shop"}, legacy.Spec.Gateways)
	assert.Empty(t, legacy.Labels, "a user's object stays the user's")
	assert.Equal(t, shopGw.ResourceVersion, w.gw(t, "df", "shop").ResourceVersion, "never touches a user's Gateway")
	_, svc = send(t, w, 8080, "shop.example.com", "/env")
	assert.Equal(t, "legacy.df.svc.cluster.local", svc, "the user's / takes /env again")

	// One that would be left without routes (Istio rejects that) is left as
	// it is, never deleted, and said so.
	solo := w.vs(t, "df", "solo")
	for range 2 {
		r = w.Kubectl("expose-gw", "-n", "df", "delete", "flaskapp", "--force")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{"virtualservice.networking.istio.io/solo unchanged"}, lines(r.Stdout))
		assert.Equal(t, "Warning: virtualservice df/solo (not managed by kubectl-expose-gw) would be left without routes, which Istio rejects: "+
			"it is left as it is, with the routes of flaskapp; delete it yourself (kubectl delete virtualservice solo -n df) if it is no longer needed\n", r.Stderr)
		assert.Equal(t, solo.ResourceVersion, w.vs(t, "df", "solo").ResourceVersion)
	}
	_, svc = send(t, w, 8080, "solo.example.com", "/env")
	assert.Equal(t, "flaskapp.df.svc.cluster.local", svc)

	require.NoError(t, w.Istio.NetworkingV1().VirtualServices("df").Delete(ctx, "solo", metav1.DeleteOptions{}))
	before = w.snapshot(t, "df")
	r = w.Kubectl("expose-gw", "-n", "df", "delete", "flaskapp", "--force")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, "error: no route of service df/flaskapp to delete\n", r.Stderr)
	assert.Equal(t, before, w.snapshot(t, "df"))
}

// deleteKeepsUserHost: a user's VirtualService of namespace pb bound to
// pa/expose-gw for "*" keeps the Gateway's "*" server when pa's last route
// goes, and Istio still sends its requests.
func deleteKeepsUserHost(t *testing.T, w *world) {
	w.app("pa", "flaskapp")
	w.app("pb", "legacy")
	r := w.Kubectl("expose-gw", "-n", "pa", "flaskapp", "--prefix", "/env")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	_, err := w.Istio.NetworkingV1().VirtualServices("pb").Create(w.Ctx(), userVS("pb", "user-any", "*", "pa/expose-gw", "/user"), metav1.CreateOptions{})
	require.NoError(t, err)
	w.IstioGateway.Sync()
	_, svc := send(t, w, 8080, "www.example.com", "/user")
	require.Equal(t, "legacy.pb.svc.cluster.local", svc)

	gwBefore := w.gw(t, "pa", "expose-gw")
	r = w.Kubectl("expose-gw", "-n", "pa", "delete", "flaskapp")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{"virtualservice.networking.istio.io/expose-gw-any deleted"}, lines(r.Stdout))
	assert.Empty(t, r.Stderr)
	gw := w.gw(t, "pa", "expose-gw")
	assert.Equal(t, gwBefore.ResourceVersion, gw.ResourceVersion)
	require.Len(t, gw.Spec.Servers, 1)
	assert.Equal(t, []string{"*"}, gw.Spec.Servers[0].Hosts)
	status, svc := send(t, w, 8080, "www.example.com", "/user")
	assert.Equal(t, 200, status)
	assert.Equal(t, "legacy.pb.svc.cluster.local", svc, "Istio still sends the user's route")
	status, _ = send(t, w, 8080, "www.example.com", "/env")
	assert.Equal(t, 404, status, "the tool's route is gone")
}

func deleteIgnoreNotFound(t *testing.T, w *world) {
	w.app("ig", "flaskapp")
	before := w.snapshot(t, "ig")
	r := w.Kubectl("expose-gw", "-n", "ig", "delete", "flaskapp")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, "error: no route of service ig/flaskapp to delete\n", r.Stderr)
	for _, args := range [][]string{
		{"flaskapp", "--ignore-not-found"},
		{"nosuchapp", "--ignore-not-found"},
		{"flaskapp", "--ignore-not-found=true", "--prefix", "/env", "-o", "yaml"},
		{"flaskapp", "--ignore-not-found", "--force", "--dry-run=server"},
	} {
		r := w.Kubectl(append([]string{"expose-gw", "-n", "ig", "delete"}, args...)...)
		assert.Equal(t, 0, r.ExitCode, args)
		assert.Empty(t, r.Stdout, args)
		assert.Empty(t, r.Stderr, args)
		assert.Equal(t, before, w.snapshot(t, "ig"), args)
	}

	// When there is something, it is deleted as without the flag.
	r = w.Kubectl("expose-gw", "-n", "ig", "flaskapp", "--prefix", "/env")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	r = w.Kubectl("expose-gw", "-n", "ig", "delete", "flaskapp", "--ignore-not-found")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{
		"virtualservice.networking.istio.io/expose-gw-any deleted",
		"gateway.networking.istio.io/expose-gw deleted",
	}, lines(r.Stdout))
	assert.Equal(t, before, w.snapshot(t, "ig"))
}

func deleteForcedNamespaceOnly(t *testing.T, w *world) {
	w.app("fz", "flaskapp")
	w.app("fz", "legacy")
	_, err := w.Istio.NetworkingV1().Gateways("fz").Create(w.Ctx(), userGateway("fz", "shop", "shop.example.com"), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = w.Istio.NetworkingV1().VirtualServices("fz").Create(w.Ctx(), userVS("fz", "legacy", "shop.example.com", "shop", "/"), metav1.CreateOptions{})
	require.NoError(t, err)
	for _, host := range []string{"shop.example.com", "fz.example.com"} {
		r := w.Kubectl("expose-gw", "-n", "fz", "flaskapp", "--host", host, "--prefix", "/env", "--force")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
	}
	kc := w.AddUser("fz-only", nil)
	w.Grant("fz-only", "fz", []rbacv1.PolicyRule{
		{APIGroups: []string{"networking.istio.io"}, Resources: []string{"gateways", "virtualservices"}, Verbs: []string{"get", "list", "create", "update", "delete"}},
	})
	gwBefore := w.gw(t, "fz", "expose-gw")
	r := w.KubectlAs(kc, "expose-gw", "-n", "fz", "delete", "flaskapp", "--force")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{
		"virtualservice.networking.istio.io/expose-gw-fz.example.com deleted",
		"virtualservice.networking.istio.io/legacy configured",
	}, lines(r.Stdout))
	assert.Equal(t, []string{
		"Warning: cannot list VirtualServices in all namespaces (forbidden), so routes of other namespaces may still use the Gateway: it is kept as it is",
		// Not allowed to read the Gateway API: said, as list says it.
		`Warning: forbidden: you may not list gateways.gateway.networking.k8s.io (ask for RBAC permission to "list" "gateways.gateway.networking.k8s.io"): gateways.gateway.networking.k8s.io is forbidden: User "fz-only" cannot list resource "gateways" in API group "gateway.networking.k8s.io" in the namespace "fz": only the Istio API's routes are deleted`,
	}, lines(r.Stderr))
	assert.Equal(t, gwBefore.ResourceVersion, w.gw(t, "fz", "expose-gw").ResourceVersion)
	assert.Equal(t, []string{" prefix /"}, routes(w.vs(t, "fz", "legacy")))
}

func deleteBadInput(t *testing.T, w *world) {
	w.app("dbad", "flaskapp")
	require.Equal(t, 0, w.Kubectl("expose-gw", "-n", "dbad", "flaskapp", "--prefix", "/env").ExitCode)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"flaskapp", "--force", "--prefix", "env"}, `invalid --prefix "env": expected a path starting with "/"`},
		{[]string{"flaskapp", "--ignore-not-found", "--prefix", "env"}, `invalid --prefix "env": expected a path starting with "/"`},
		{[]string{"flaskapp", "--ignore-not-found", "--exact", "/a b"}, `invalid --exact "/a b": expected a path without spaces, control characters, '?' or '#'`},
		{[]string{"flaskapp", "--ignore-not-found", "--host", "Flask_App.example.com"}, `invalid --host "Flask_App.example.com": expected a DNS name (like flask.example.com), "*" or "*.domain"`},
		{[]string{"deploy/flaskapp", "--ignore-not-found"}, `invalid SERVICE "deploy/flaskapp": expected NAME or svc/NAME`},
		{[]string{"flaskapp", "--ignore-not-found", "--dry-run=maybe"}, `invalid --dry-run "maybe": expected none, client or server`},
		{[]string{"flaskapp", "--ignore-not-found=maybe"}, `invalid argument "maybe" for "--ignore-not-found" flag: strconv.ParseBool: parsing "maybe": invalid syntax`},
		{[]string{"flaskapp", "--force=maybe"}, `invalid argument "maybe" for "--force" flag: strconv.ParseBool: parsing "maybe": invalid syntax`},
	}
	before := w.snapshot(t, "dbad")
	for _, c := range cases {
		r := w.Kubectl(append([]string{"expose-gw", "-n", "dbad", "delete"}, c.args...)...)
		assert.Equal(t, 1, r.ExitCode, c.args)
		assert.Equal(t, "error: "+c.want+"\n", r.Stderr, c.args)
		assert.Empty(t, r.Stdout, c.args)
		assert.Equal(t, before, w.snapshot(t, "dbad"), c.args)
	}
}
