package expose

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestHTTPSBesideTheCatchAll: after the seed's `expose flaskapp --prefix
// /` (host "*" on the tool's default Gateway), an HTTPS host goes to a
// Gateway of its own (same pods, named after the host) instead of being
// refused: on expose-gw the "*" route would join the new HTTPS server and
// take its requests. Istio routes both as asked; a re-run is unchanged;
// list shows it; delete removes the host's objects and leaves the "*"
// route. A shadow by anything else than the tool's "*" route is still
// refused.
func TestHTTPSBesideTheCatchAll(t *testing.T) {
	w := start(t)
	w.app("default", "notes")
	r := w.Kubectl("expose-gw", "flaskapp", "--prefix", "/")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	args := []string{"expose-gw", "notes", "--host", "notes.example.com", "--prefix", "/", "--tls", "self-signed", "--ca-out", ca}
	r = w.Kubectl(args...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	own := route.HostGatewayName(map[string]string{"istio": "ingressgateway"}, "notes.example.com")
	assert.Equal(t, "expose-gw-notes-example-com", own)
	assert.Contains(t, r.Stderr, `host notes.example.com: on Gateway default/expose-gw-notes-example-com (same pods, istio=ingressgateway): on default/expose-gw the "*" route of default/expose-gw-any would take its HTTPS requests`)
	assert.Contains(t, r.Stdout, "gateway.networking.istio.io/"+own+" created\n")
	g := w.gw(t, "default", own)
	assert.Equal(t, map[string]string{"istio": "ingressgateway"}, g.Spec.Selector, "the same pods as expose-gw")
	assert.True(t, route.IsManaged(g), "the tool's")
	def := w.gw(t, "default", "expose-gw")
	for _, s := range def.Spec.Servers {
		assert.NotEqual(t, "HTTPS", s.GetPort().GetProtocol(), "expose-gw gets no HTTPS server")
	}

	w.IstioGateway.Sync()
	status, seen, _ := httpsTrusting(t, w, ca, "notes.example.com", "/n/1")
	assert.Equal(t, 200, status)
	assert.Equal(t, "outbound|80||notes.default.svc.cluster.local", seen.Cluster, "Istio sends https://notes.example.com to notes")
	status, svc := send(t, w, 8080, "anything.example.org", "/x")
	assert.Equal(t, 200, status)
	assert.Equal(t, "flaskapp.default.svc.cluster.local", svc, "the \"*\" route still takes http requests for any host")
	assert.Equal(t, route.StatusOK, listStatus(t, w, "notes", "notes.example.com"))

	before := w.RouteObjects()
	r = w.Kubectl(args...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		if strings.Contains(line, "/") && !strings.HasPrefix(line, "http") && !strings.HasPrefix(line, "curl") {
			assert.True(t, strings.HasSuffix(line, " unchanged"), "re-run: %q", line)
		}
	}
	assert.Equal(t, before, w.RouteObjects(), "a re-run writes nothing")

	r = w.Kubectl("expose-gw", "delete", "notes", "--host", "notes.example.com")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	_, err := w.Istio.NetworkingV1().Gateways("default").Get(w.Ctx(), own, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "delete removes the host's own Gateway as it would expose-gw's: %v", err)
	w.IstioGateway.Sync()
	status, svc = send(t, w, 8080, "notes.example.com", "/x")
	assert.Equal(t, 200, status)
	assert.Equal(t, "flaskapp.default.svc.cluster.local", svc, "the \"*\" route is kept")

	t.Run("a shadow by a route of another owner is still refused", func(t *testing.T) {
		w.app("other", "notes")
		r := w.Kubectl("expose-gw", "-n", "other", "notes", "--host", "plain.other.example", "--prefix", "/plain")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		legacy := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: "other"}}
		legacy.Spec.Hosts = []string{"*"}
		legacy.Spec.Gateways = []string{"expose-gw"}
		legacy.Spec.Http = []*apinet.HTTPRoute{{Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: "notes"}}}}}
		_, err := w.Istio.NetworkingV1().VirtualServices("other").Create(w.Ctx(), legacy, metav1.CreateOptions{})
		require.NoError(t, err)
		snap, tlsSnap := w.RouteObjects(), tlsObjects(t, w, nil, testenv.IstioNamespace)
		r = w.Kubectl("expose-gw", "-n", "other", "notes", "--host", "n.other.example", "--prefix", "/", "--tls", "self-signed")
		assert.Equal(t, 1, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stderr, "would be shadowed by other/legacy")
		assert.NotContains(t, r.Stderr, "expose-gw-n-other-example")
		assert.Equal(t, snap, w.RouteObjects(), "nothing written")
		assert.Equal(t, tlsSnap, tlsObjects(t, w, nil, testenv.IstioNamespace), "no Secret written")
	})
}
