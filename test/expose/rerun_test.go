package expose

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestRerunFindsItsRouteWhereItIs: an expose that went to the user's
// wildcard Gateway (the tool had none in the namespace yet) is re-run
// after another expose created the tool's own Gateway, which serves the
// host too: the re-run finds its route on the user's Gateway and changes
// nothing, and Istio still sends the route's requests to its Service.
func TestRerunFindsItsRouteWhereItIs(t *testing.T) {
	w := start(t)
	const ns = "coll"
	w.app(ns, "svc1")
	w.app(ns, "svc2")
	_, err := w.Istio.NetworkingV1().Gateways(ns).Create(w.Ctx(), userGateway(ns, "wild-gw", ns+"/*.coll.example.com"), metav1.CreateOptions{})
	require.NoError(t, err)
	first := []string{"expose-gw", "-n", ns, "svc1", "--host", "app.coll.example.com", "--prefix", "/app"}
	r := w.Kubectl(first...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	require.Contains(t, r.Stdout, "gateway.networking.istio.io/wild-gw unchanged", "it lands on the user's Gateway")

	r = w.Kubectl("expose-gw", "-n", ns, "svc2", "--prefix", "/other")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	require.Contains(t, r.Stdout, "gateway.networking.istio.io/expose-gw created")

	before := w.snapshot(t, ns)
	r = w.Kubectl(first...)
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	for _, l := range lines(r.Stdout) {
		if strings.Contains(l, ".networking.istio.io/") {
			assert.True(t, strings.HasSuffix(l, " unchanged"), "re-run: %q\n%s", l, r.Stdout)
		}
	}
	assert.Contains(t, r.Stdout, "gateway.networking.istio.io/wild-gw unchanged")
	assert.Equal(t, before, w.snapshot(t, ns), "the re-run writes nothing")

	status, seen := sendRaw(t, w, 8080, "app.coll.example.com", "/app/x")
	assert.Equal(t, 200, status)
	assert.Equal(t, "svc1.coll.svc.cluster.local", seen.Service())
}
