package explain

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestLint: each problem lint knows, in a cluster of hand-written
// objects of both APIs, with its line; a clean namespace passes.
func TestLint(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{Apps: []testenv.App{{Name: "flaskapp"}, {Name: "idle", NoEndpoints: true}}})
	ctx := env.Ctx()
	env.EnsureNamespace("clean")
	env.CreateApp(testenv.App{Name: "web", Namespace: "clean"})
	r := env.Kubectl("expose-gw", "web", "-n", "clean", "--prefix", "/", "--host", "clean.example.com")
	require.Equal(t, 0, r.ExitCode, r.Stderr)

	istio := env.Istio.NetworkingV1()
	gw := func(name string, sel map[string]string, servers ...*apinet.Server) {
		g := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}}
		g.Spec.Selector, g.Spec.Servers = sel, servers
		_, err := istio.Gateways("default").Create(ctx, g, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	ingress := map[string]string{"istio": "ingressgateway"}
	http := func(port uint32, hosts ...string) *apinet.Server {
		return &apinet.Server{Port: &apinet.Port{Number: port, Protocol: "HTTP", Name: "http"}, Hosts: hosts}
	}
	gw("main", ingress, http(80, "shop.example.com"))
	gw("odd-port", ingress, http(9090, "odd.example.com"))
	gw("nobody", map[string]string{"istio": "egress-nowhere"}, http(80, "x.example.com"))
	tls := &apinet.Server{Port: &apinet.Port{Number: 443, Protocol: "HTTPS", Name: "https"}, Hosts: []string{"secure.example.com"},
		Tls: &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_SIMPLE, CredentialName: "missing-cert"}}
	gw("secure", ingress, tls)
	env.CreateTLSSecret(testenv.IstioNamespace, "wildcard", "*.example.com")
	wild := func(h string) *apinet.Server {
		return &apinet.Server{Port: &apinet.Port{Number: 443, Protocol: "HTTPS", Name: "https-" + strings.Split(h, ".")[0]}, Hosts: []string{h},
			Tls: &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_SIMPLE, CredentialName: "wildcard"}}
	}
	gw("reuse", ingress, wild("one.example.com"), wild("two.example.com"))
	create := func(v *networkingv1.VirtualService) {
		t.Helper()
		_, err := istio.VirtualServices(v.Namespace).Create(ctx, v, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	create(vs("default", "shop", "shop.example.com", "main",
		prefixTo("/", "flaskapp", 0), prefixTo("/api", "flaskapp", 0)))
	time.Sleep(1100 * time.Millisecond) // shop is older
	create(vs("default", "later", "shop.example.com", "main",
		prefixTo("/cart", "ghost", 0), prefixTo("/idle", "idle", 0), prefixTo("/port", "flaskapp", 8080), prefixTo("/", "flaskapp", 0)))
	create(vs("default", "orphan", "shop.example.com", "no-such-gateway", prefixTo("/", "flaskapp", 0)))
	create(vs("default", "elsewhere", "other.example.com", "main", prefixTo("/", "flaskapp", 0)))
	hidden := vs("default", "hidden", "shop.example.com", "main", prefixTo("/hidden", "flaskapp", 0))
	hidden.Spec.ExportTo = []string{"."}
	create(hidden)

	hr := &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Name: "foreign", Namespace: "default"}}
	hr.Spec.ParentRefs = []gwv1.ParentReference{{Name: "shared", Namespace: ptr.To(gwv1.Namespace("team-x"))}}
	hr.Spec.Rules = []gwv1.HTTPRouteRule{{BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Name: "nope", Port: ptr.To(gwv1.PortNumber(80))}}}}}}
	env.EnsureNamespace("team-x")
	g := sharedGateway()
	g.Namespace = "team-x"
	g.Spec.Listeners = g.Spec.Listeners[2:] // only "b": routes of team-x
	_, err := env.GatewayAPI.GatewayV1().Gateways("team-x").Create(ctx, g, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = env.GatewayAPI.GatewayV1().HTTPRoutes("default").Create(ctx, hr, metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()

	r = env.Kubectl("expose-gw", "lint")
	assert.Equal(t, 1, r.ExitCode, r.Stderr)
	for _, want := range []string{
		"IST0101 Gateway default/nobody: its selector istio=egress-nowhere matches no gateway pods: no gateway serves it\n  fix: select the ingress gateway's pods (",
		"IST0162 Gateway default/odd-port: server 0 listens on port 9090, which the gateway Service istio-system/istio-ingressgateway does not expose: no request reaches it\n",
		"IST0161 Gateway default/secure: server 0's credentialName missing-cert is not a Secret of istio-system, the gateway pods' namespace: the TLS handshake fails\n",
		"EGW0001 VirtualService default/later rule 3: rule 3 (prefix /) is never reached on host shop.example.com: VirtualService default/shop rule 0 (prefix /) takes all its requests first\n",
		"EGW0001 VirtualService default/shop rule 1: rule 1 is never reached: Istio drops the rules after the first catch-all rule of a VirtualService (rule 0)\n  fix: move the catch-all rule last\n",
		"IST0101 VirtualService default/later rule 0: rule 0 sends to ghost.default.svc.cluster.local: no Service default/ghost: the gateway answers 503\n",
		"EGW0002 VirtualService default/later rule 1: rule 1 sends to idle.default.svc.cluster.local:80, which has no ready endpoints: the gateway answers 503\n",
		"EGW0006 VirtualService default/later rule 2: rule 2 sends to flaskapp.default.svc.cluster.local: Service default/flaskapp has no port 8080 (ports: 80): the gateway answers 503\n",
		"IST0101 VirtualService default/orphan: its gateways name default/no-such-gateway, which does not exist: none of its routes is served there\n",
		"IST0132 VirtualService default/elsewhere: no server of its Gateways takes its hosts other.example.com for namespace default (servers take shop.example.com): none of its routes is served\n",
		"EGW0003 VirtualService default/hidden: exportTo [.] hides it from the gateway pods' namespace istio-system: none of its routes is served\n",
		"EGW0007 Gateway default/reuse: server 1 and Gateway default/reuse server 0 both serve port 443 with certificate wildcard: a browser reuses one HTTP/2 connection for both hosts and gets 404s\n",
		"EGW0004 HTTPRoute default/foreign: Istio did not accept it on Gateway team-x/shared: NotAllowedByListeners: ",
	} {
		assert.Contains(t, r.Stdout, want)
	}
	assert.NotContains(t, r.Stdout, "clean", "lint checks the current namespace only")

	t.Run("a clean namespace", func(t *testing.T) {
		r := env.Kubectl("expose-gw", "lint", "-n", "clean")
		assert.Equal(t, 0, r.ExitCode, r.Stdout+r.Stderr)
		assert.Equal(t, "no problems found\n", r.Stdout)
		r = env.Kubectl("expose-gw", "lint", "-n", "clean", "-o", "json")
		assert.Equal(t, 0, r.ExitCode)
		assert.JSONEq(t, `{"items": []}`, r.Stdout)
	})
	t.Run("-A and --host", func(t *testing.T) {
		r := env.Kubectl("expose-gw", "lint", "-A", "--host", "other.example.com", "-o", "json")
		assert.Equal(t, 1, r.ExitCode)
		assert.Contains(t, r.Stdout, `"code": "IST0132"`)
		assert.NotContains(t, r.Stdout, `"name": "later"`)
		assert.Equal(t, 1, strings.Count(r.Stdout, `"code": "IST0132"`), r.Stdout)
		assert.Contains(t, r.Stdout, `"name": "foreign"`, "an HTTPRoute without hostnames serves every host")
	})
	t.Run("bad input", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"-o", "yaml"}, `error: invalid --output "yaml": expected text or json`},
			{[]string{"--host", "bad host"}, `error: invalid --host "bad host": `},
			{[]string{"--api", "nginx"}, `error: invalid --api "nginx": expected one of auto, istio, gateway-api`},
			{[]string{"extra"}, `error: unknown command "extra" for "kubectl expose-gw lint"`},
		} {
			r := env.Kubectl(append([]string{"expose-gw", "lint"}, c.args...)...)
			assert.Equal(t, 1, r.ExitCode, c.args)
			assert.True(t, strings.HasPrefix(r.Stderr, c.want), "%v: %s", c.args, r.Stderr)
			assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), "%v: one line: %s", c.args, r.Stderr)
			assert.Empty(t, r.Stdout, c.args)
		}
	})
}
