package check

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestURLCheckGatewayAPI: url --check over HTTPRoutes on a Gateway of
// class istio, directly at the nodePort of its Service (the LoadBalancer
// is pending) and through a port-forward to its pod, each answer checked
// against Istio's decision.
func TestURLCheckGatewayAPI(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	for _, a := range []testenv.App{{Name: "flaskapp"}, {Name: "notes"}, {Name: "shop"}, {Name: "other"}, {Name: "doomed"}, {Name: "idle", NoEndpoints: true}} {
		env.CreateApp(a)
	}
	// Another team's older HTTPRoute: its longer prefix /shop/v takes
	// /shop/v1 from shop's route by Gateway API precedence.
	expose := func(args ...string) {
		t.Helper()
		r := env.Kubectl(append([]string{"expose-gw", "--api", "gateway-api"}, args...)...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
	}
	expose("flaskapp", "--prefix", "/env", "--host", "flask.test")
	expose("notes", "--prefix", "/gone", "--host", "notes.test")
	expose("shop", "--prefix", "/shop/v1", "--host", "shop.test")
	expose("doomed", "--prefix", "/d", "--host", "doomed.test")
	expose("idle", "--prefix", "/idle", "--host", "idle.test")
	hr := &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: "default"}}
	hr.Spec.ParentRefs = []gwv1.ParentReference{{Name: "expose-gw"}}
	hr.Spec.Hostnames = []gwv1.Hostname{"shop.test"}
	hr.Spec.Rules = []gwv1.HTTPRouteRule{{
		Matches:     []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchExact), Value: ptr.To("/shop/v1")}}},
		BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Name: "other", Port: ptr.To(gwv1.PortNumber(80))}}}},
	}}
	_, err := env.GatewayAPI.GatewayV1().HTTPRoutes("default").Create(env.Ctx(), hr, metav1.CreateOptions{})
	require.NoError(t, err)
	require.NoError(t, env.Kube.CoreV1().Services("default").Delete(env.Ctx(), "doomed", metav1.DeleteOptions{}))
	env.Upstream.AnswerStatus("/gone", 404)
	env.IstioGateway.Sync()
	svc, err := env.Kube.CoreV1().Services("default").Get(env.Ctx(), "expose-gw-istio", metav1.GetOptions{})
	require.NoError(t, err)
	var nodePort int32
	for _, p := range svc.Spec.Ports {
		if p.Port == 80 {
			nodePort = p.NodePort
		}
	}
	require.NotZero(t, nodePort, "the Service of the Gateway has the listener's port 80")
	onNode := fmt.Sprintf("127.0.0.1:%d", nodePort)
	env.IstioGateway.ListenGateway(onNode, "default", "expose-gw", 80)

	want := map[string]struct {
		path       string
		status     int
		by, flag   string
		reached    string
		reasonPart string
	}{
		"flaskapp": {"/env", 200, "application", "", "default/flaskapp", ""},
		"notes":    {"/gone", 404, "application", "", "default/notes", ""},
		"shop":     {"/shop/v1", 200, "application", "", "default/other", "HTTPRoute default/legacy"},
		"doomed":   {"/d", 500, "gateway", "NC", "", "no Service default/doomed"},
		"idle":     {"/idle", 503, "gateway", "UH", "", "no ready endpoints"},
	}
	for svc, w := range want {
		t.Run(svc, func(t *testing.T) {
			items, r := checkJSON(t, env, svc, "--api", "gateway-api")
			require.Len(t, items, 1, r.Stderr)
			it := items[0]
			ok := w.by == "application" && w.reached == "default/"+svc
			assert.Equal(t, map[bool]int{true: 0, false: 1}[ok], r.ExitCode, r.Stderr)
			assert.Equal(t, "direct", it.Via)
			assert.Equal(t, "http://"+onNode+w.path, it.URL)
			assert.Equal(t, w.status, it.Status)
			assert.Equal(t, w.by, it.AnsweredBy)
			assert.Equal(t, w.flag, it.Flag)
			assert.Equal(t, w.reached, it.Reached)
			if w.reasonPart != "" {
				require.NotNil(t, it.Explain)
				assert.Contains(t, it.Explain["reason"], w.reasonPart)
			}
			// Istio agrees: the same request at the Gateway's pod.
			status, d := sendTo(t, env.PortForward("default", env.GatewayPod("default", "expose-gw"), 80), it.Host, w.path)
			assert.Equal(t, w.status, status)
			if w.reached != "" {
				name := strings.Split(w.reached, "/")[1]
				assert.Contains(t, d, "||"+name+".default.svc.cluster.local", "Istio sent it to %s", w.reached)
			}
		})
	}
	t.Run("through a port-forward", func(t *testing.T) {
		items, r := checkJSON(t, env, "flaskapp", "--api", "gateway-api", "--via", "port-forward")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		require.Len(t, items, 1)
		assert.Equal(t, "port-forward", items[0].Via)
		assert.Equal(t, "http://flask.test/env", items[0].URL)
		assert.Equal(t, "application", items[0].AnsweredBy)
		assert.Equal(t, "default/flaskapp", items[0].Reached)
	})
}
