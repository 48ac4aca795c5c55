package explain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

func vs(ns, name, host, gw string, rules ...*apinet.HTTPRoute) *networkingv1.VirtualService {
	v := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
	v.Spec.Hosts, v.Spec.Gateways, v.Spec.Http = []string{host}, []string{gw}, rules
	return v
}

func prefixTo(p, host string, port uint32) *apinet.HTTPRoute {
	d := &apinet.Destination{Host: host}
	if port != 0 {
		d.Port = &apinet.PortSelector{Number: port}
	}
	return &apinet.HTTPRoute{Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: p}}}},
		Route: []*apinet.HTTPRouteDestination{{Destination: d}}}
}

// TestExplainIstio walks requests through the seed's gateway with the
// tool's own route and other teams' hand-written ones, and checks each
// verdict's text, object and exit code.
func TestExplainIstio(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{Apps: []testenv.App{{Name: "flaskapp"}, {Name: "idle", NoEndpoints: true}}})
	env.EnsureNamespace("team-b")
	ctx := env.Ctx()
	create := func(v *networkingv1.VirtualService) {
		t.Helper()
		_, err := env.Istio.NetworkingV1().VirtualServices(v.Namespace).Create(ctx, v, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	gw := "default/expose-gw"
	create(vs("team-b", "legacy", "shop.example.com", gw,
		prefixTo("/env/legacy", "ghost.team-b.svc.cluster.local", 0),
		prefixTo("/env/v", "flaskapp.default.svc.cluster.local", 8080),
		prefixTo("/idle", "idle.default.svc.cluster.local", 0)))
	// Another team's VirtualService, older than the tool's route.
	// expose refuses a route it sees shadowed; --force writes it anyway.
	time.Sleep(1100 * time.Millisecond)
	r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/env", "--host", "shop.example.com", "--force")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	env.IstioGateway.Sync()

	text := func(t *testing.T, url string, args ...string) testenv.Result {
		t.Helper()
		return env.Kubectl(append([]string{"expose-gw", "explain", url}, args...)...)
	}
	t.Run("routed, with the hops", func(t *testing.T) {
		r := text(t, "http://shop.example.com/env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Contains(t, r.Stdout, "gateway Service istio-system/istio-ingressgateway port 80 -> pod port 8080\n")
		assert.Contains(t, r.Stdout, "listener 8080: 1 HTTP server(s); for Host \"shop.example.com\": Gateway default/expose-gw server 0 (HTTP 80, hosts shop.example.com)\n")
		assert.Contains(t, r.Stdout, "virtual host shop.example.com (domains shop.example.com)\n")
		assert.Contains(t, r.Stdout, "VirtualService default/expose-gw-shop.example.com, rule 0 (exact /env)\n")
		assert.Contains(t, r.Stdout, "routed: VirtualService default/expose-gw-shop.example.com rule 0 sends it to flaskapp.default.svc.cluster.local:80 as /env (1 ready endpoints)\n")
		e, _ := explain(t, env, "http://shop.example.com/env")
		assert.Equal(t, route.OutcomeRouted, e.Outcome)
		status, d := send(t, env.IstioGateway.PortAddr(testenv.IstioNamespace, 8080), "GET", "shop.example.com", "/env", nil)
		assert.Equal(t, 200, status)
		assert.Equal(t, cluster(e.Backend), d.Cluster, "Istio agrees")
	})
	t.Run("the -o json contract", func(t *testing.T) {
		r := text(t, "http://shop.example.com/env", "-o", "json")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		var o map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &o))
		for _, k := range []string{"outcome", "status", "gateway", "server", "route", "backend", "shadowed", "reason"} {
			assert.Contains(t, o, k)
		}
		assert.Equal(t, map[string]any{"namespace": "istio-system", "service": "istio-ingressgateway", "port": 80.0, "targetPort": 8080.0}, o["gateway"])
		assert.Equal(t, map[string]any{"kind": "Gateway", "apiVersion": "networking.istio.io/v1", "namespace": "default", "name": "expose-gw", "index": 0.0}, o["server"])
		assert.Equal(t, map[string]any{"kind": "VirtualService", "namespace": "default", "name": "expose-gw-shop.example.com", "rule": 0.0, "match": "exact /env"}, o["route"])
		assert.Equal(t, map[string]any{"host": "flaskapp.default.svc.cluster.local", "port": 80.0, "path": "/env", "readyEndpoints": 1.0}, o["backend"])
		assert.Equal(t, []any{}, o["shadowed"])
		y := text(t, "http://shop.example.com/env", "-o", "yaml")
		require.Equal(t, 0, y.ExitCode, y.Stderr)
		assert.Contains(t, y.Stdout, "outcome: routed\n")
	})
	t.Run("a NodePort in the URL", func(t *testing.T) {
		e, _ := explain(t, env, "http://127.0.0.1:31380/env", "--host", "shop.example.com")
		assert.Equal(t, route.OutcomeRouted, e.Outcome)
		assert.Equal(t, route.ExplainGateway{Namespace: "istio-system", Service: "istio-ingressgateway", Port: 80, TargetPort: 8080, NodePort: 31380}, e.Gateway)
		r := text(t, "http://127.0.0.1:31380/env", "--host", "shop.example.com")
		assert.Contains(t, r.Stdout, "gateway Service istio-system/istio-ingressgateway port 80 (reached as NodePort 31380) -> pod port 8080\n")
	})
	t.Run("shadowed by an older rule of another team", func(t *testing.T) {
		r := text(t, "http://shop.example.com/env/legacy/x")
		assert.Equal(t, 1, r.ExitCode)
		assert.Contains(t, r.Stdout, "VirtualService team-b/legacy, rule 0 (prefix /env/legacy)\n")
		assert.Contains(t, r.Stdout, "  also matches, loses: VirtualService default/expose-gw-shop.example.com rule 0: VirtualService team-b/legacy is older (created ")
		assert.Contains(t, r.Stdout, "unavailable (503): VirtualService team-b/legacy rule 0 sends to ghost.team-b.svc.cluster.local:80: no Service team-b/ghost: the gateway answers 503\n")
		assert.Contains(t, r.Stdout, "fix: create Service team-b/ghost")
		// team-b's string prefix /env/v takes /env/version (and /env/vx) from the tool's route.
		e, _ := explain(t, env, "http://shop.example.com/env/version")
		require.NotNil(t, e.Route)
		assert.Equal(t, route.ExplainRoute{Kind: "VirtualService", Namespace: "team-b", Name: "legacy", Rule: 1, Match: "prefix /env/v"}, *e.Route)
		assert.Equal(t, route.OutcomeUnavailable, e.Outcome)
		assert.Contains(t, e.Reason, "Service default/flaskapp has no port 8080 (ports: 80)")
		require.Len(t, e.Shadowed, 1)
		assert.Equal(t, "expose-gw-shop.example.com", e.Shadowed[0].Name)
		assert.Contains(t, e.Shadowed[0].Reason, "VirtualService team-b/legacy is older")
		status, d := send(t, env.IstioGateway.PortAddr(testenv.IstioNamespace, 8080), "GET", "shop.example.com", "/env/version", nil)
		assert.Equal(t, 503, status, "Istio agrees")
		assert.Equal(t, cluster(e.Backend), d.Cluster, "Istio agrees")
	})
	t.Run("no ready endpoints", func(t *testing.T) {
		r := text(t, "http://shop.example.com/idle")
		assert.Equal(t, 1, r.ExitCode)
		assert.Contains(t, r.Stdout, "unavailable (503): VirtualService team-b/legacy rule 2 sends to idle.default.svc.cluster.local:80, which has no ready endpoints")
		assert.Contains(t, r.Stdout, "fix: check the pods of Service default/idle: kubectl -n default get endpointslices -l kubernetes.io/service-name=idle\n")
	})
	t.Run("no virtual host", func(t *testing.T) {
		r := text(t, "http://nobody.example.com/env")
		assert.Equal(t, 1, r.ExitCode)
		assert.Contains(t, r.Stdout, "not-found (404): no virtual host for Host \"nobody.example.com\" on this server: the gateway answers 404\n")
		assert.Contains(t, r.Stdout, "fix: hosts served here: shop.example.com;")
	})
	t.Run("no rule matches", func(t *testing.T) {
		r := text(t, "http://shop.example.com/nothing")
		assert.Equal(t, 1, r.ExitCode)
		assert.Contains(t, r.Stdout, "not-found (404): no rule of virtual host shop.example.com matches GET /nothing")
		assert.Contains(t, r.Stdout, "fix: rules in order: team-b/legacy rule 0 (prefix /env/legacy), team-b/legacy rule 1 (prefix /env/v), team-b/legacy rule 2 (prefix /idle), default/expose-gw-shop.example.com rule 0 (exact /env), default/expose-gw-shop.example.com rule 0 (prefix /env/)\n")
		status, _ := send(t, env.IstioGateway.PortAddr(testenv.IstioNamespace, 8080), "GET", "shop.example.com", "/nothing", nil)
		assert.Equal(t, 404, status, "Istio agrees")
	})
	t.Run("no server for https", func(t *testing.T) {
		r := text(t, "https://shop.example.com/env")
		assert.Equal(t, 1, r.ExitCode)
		assert.Contains(t, r.Stdout, "no-server: no Gateway serves HTTPS on port 443 of the gateway: the connection fails\n")
		assert.Contains(t, r.Stdout, "fix: add a server on port 443 to a Gateway selecting the gateway pods (kubectl expose-gw SERVICE does)\n")
	})
	t.Run("bad input: one line, no object", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"shop.example.com/env"}, `error: URL "shop.example.com/env": expected http[s]://HOST[:PORT]/PATH[?QUERY]`},
			{[]string{"ftp://shop.example.com/"}, `error: URL "ftp://shop.example.com/": expected http[s]://HOST[:PORT]/PATH[?QUERY]`},
			{[]string{"http://shop.example.com:8081/"}, `error: port 8081 of http://shop.example.com:8081/: not a port of the gateway Service istio-system/istio-ingressgateway: expected one of 80 (NodePort 31380), 443 (NodePort 31390)`},
			{[]string{"http://shop.example.com/", "--gateway", "nope"}, `error: --gateway default/nope: no Gateway default/nope of the Istio API: expected an existing Gateway, [NAMESPACE/]NAME`},
			{[]string{"http://shop.example.com/", "-o", "wide"}, `error: invalid --output "wide": expected text, json or yaml`},
			{[]string{"http://shop.example.com/", "-H", "x-team"}, `error: -H "x-team": expected 'Name: value'`},
			{[]string{"http://shop.example.com/", "-X", "GE T"}, `error: -X "GE T": expected an HTTP method, e.g. GET or POST`},
		} {
			r := env.Kubectl(append([]string{"expose-gw", "explain"}, c.args...)...)
			assert.Equal(t, 1, r.ExitCode, c.args)
			assert.Equal(t, c.want+"\n", r.Stderr, c.args)
			assert.Empty(t, r.Stdout, c.args)
		}
	})
}

func TestExplainHTTPS(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{})
	env.CreateTLSSecret(testenv.IstioNamespace, "shop-cert", "shop.example.com")
	r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/", "--host", "shop.example.com", "--tls-secret", "shop-cert")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	g := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "broken", Namespace: "default"}}
	g.Spec.Selector = map[string]string{"istio": "ingressgateway"}
	g.Spec.Servers = []*apinet.Server{{Port: &apinet.Port{Number: 443, Protocol: "HTTPS", Name: "https"}, Hosts: []string{"admin.example.com"},
		Tls: &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_SIMPLE, CredentialName: "admin-cert"}}}
	_, err := env.Istio.NetworkingV1().Gateways("default").Create(env.Ctx(), g, metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()

	e, _ := explain(t, env, "https://shop.example.com/x")
	assert.Equal(t, route.OutcomeRouted, e.Outcome, e.Reason)
	r = env.Kubectl("expose-gw", "explain", "https://shop.example.com/x")
	assert.Contains(t, r.Stdout, "listener 8443: SNI \"shop.example.com\" picks Gateway default/expose-gw")
	assert.Contains(t, r.Stdout, "certificate: Secret istio-system/shop-cert\n")

	r = env.Kubectl("expose-gw", "explain", "https://admin.example.com/")
	assert.Equal(t, 1, r.ExitCode)
	assert.Contains(t, r.Stdout, "no-server: the certificate Secret istio-system/admin-cert of Gateway default/broken server 0 (HTTPS 443, hosts admin.example.com) does not exist: the TLS handshake fails\n")
	assert.Contains(t, r.Stdout, "fix: create Secret admin-cert in namespace istio-system, the gateway pods'")

	r = env.Kubectl("expose-gw", "explain", "https://other.example.com/")
	assert.Equal(t, 1, r.ExitCode)
	assert.Contains(t, r.Stdout, "no-server: no HTTPS server on port 443 takes SNI \"other.example.com\": the TLS handshake fails\n")
	assert.True(t, strings.Contains(r.Stdout, "fix: servers on this port take: shop.example.com, admin.example.com") ||
		strings.Contains(r.Stdout, "fix: servers on this port take: admin.example.com, shop.example.com"), r.Stdout)
}
