package expose

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

func userVS(ns, name, host, gw string, prefix string) *networkingv1.VirtualService {
	return &networkingv1.VirtualService{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: apinet.VirtualService{Hosts: []string{host}, Gateways: []string{gw},
			Http: []*apinet.HTTPRoute{{
				Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: prefix}}}},
				Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: "legacy." + ns + ".svc.cluster.local"}}},
			}}},
	}
}

func userGateway(ns, name, host string) *networkingv1.Gateway {
	return &networkingv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*apinet.Server{{Port: &apinet.Port{Number: 80, Name: "http", Protocol: "HTTP"}, Hosts: []string{host}}}},
	}
}

// TestExpose covers the semantics of the issue on one shared control
// plane, each subtest in its own namespace.
func TestExpose(t *testing.T) {
	w := start(t)
	ctx := w.Ctx()

	t.Run("dry-run=client -o yaml prints the objects and writes nothing", func(t *testing.T) {
		w.app("dry", "flaskapp")
		before := w.snapshot(t, "dry")
		r := w.Kubectl("expose-gw", "-n", "dry", "flaskapp", "--prefix", "/env", "--host", "flask.example.com", "--rewrite", "/", "--dry-run=client", "-o", "yaml")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, before, w.snapshot(t, "dry"))
		var list metav1.List // one document: a v1 List of the two objects
		require.NoError(t, yaml.UnmarshalStrict([]byte(r.Stdout), &list))
		assert.Equal(t, "List", list.Kind)
		require.Len(t, list.Items, 2, r.Stdout)
		var gw networkingv1.Gateway
		require.NoError(t, yaml.UnmarshalStrict(list.Items[0].Raw, &gw))
		assert.Equal(t, "networking.istio.io/v1", gw.APIVersion)
		assert.Equal(t, "Gateway", gw.Kind)
		assert.Equal(t, "expose-gw", gw.Name)
		assert.Equal(t, []string{"flask.example.com"}, gw.Spec.Servers[0].Hosts)
		assert.Equal(t, uint32(80), gw.Spec.Servers[0].Port.Number)
		var vs networkingv1.VirtualService
		require.NoError(t, yaml.UnmarshalStrict(list.Items[1].Raw, &vs))
		assert.Equal(t, "VirtualService", vs.Kind)
		assert.Equal(t, "expose-gw-flask.example.com", vs.Name)
		rw := vs.Spec.Http[0].Rewrite.GetUriRegexRewrite()
		assert.Equal(t, []string{"^/env/?(.*)$", `/\1`}, []string{rw.GetMatch(), rw.GetRewrite()}, "--rewrite / replaces the matched prefix")
		assert.Equal(t, "flaskapp.dry.svc.cluster.local", vs.Spec.Http[0].Route[0].Destination.Host)

		// The printed objects are what a real run writes.
		r = w.Kubectl("expose-gw", "-n", "dry", "flaskapp", "--prefix", "/env", "--host", "flask.example.com", "--rewrite", "/")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, "curl -H 'Host: flask.example.com' http://127.0.0.1:31380/env", lines(r.Stdout)[2])
		got := w.vs(t, "dry", vs.Name)
		assert.Equal(t, vs.Spec.Hosts, got.Spec.Hosts)
		assert.Equal(t, routes(&vs), routes(got))
	})

	t.Run("dry-run=server validates and writes nothing", func(t *testing.T) {
		w.app("srvdry", "flaskapp")
		before := w.snapshot(t, "srvdry")
		r := w.Kubectl("expose-gw", "-n", "srvdry", "flaskapp", "--dry-run=server")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{
			"gateway.networking.istio.io/expose-gw created (server dry run)",
			"virtualservice.networking.istio.io/expose-gw-any created (server dry run)",
		}, lines(r.Stdout))
		assert.Equal(t, before, w.snapshot(t, "srvdry"))
		r = w.Kubectl("expose-gw", "-n", "srvdry", "flaskapp", "--dry-run=server", "-o", "name")
		assert.Equal(t, []string{"gateway.networking.istio.io/expose-gw", "virtualservice.networking.istio.io/expose-gw-any"}, lines(r.Stdout))
	})

	t.Run("reuses a user's Gateway", func(t *testing.T) {
		w.app("reuse", "flaskapp")
		_, err := w.Istio.NetworkingV1().Gateways("reuse").Create(ctx, userGateway("reuse", "flaskapp-gateway", "*"), metav1.CreateOptions{})
		require.NoError(t, err)
		gwBefore := w.gw(t, "reuse", "flaskapp-gateway")
		r := w.Kubectl("expose-gw", "-n", "reuse", "flaskapp", "--prefix", "/env")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{
			"gateway.networking.istio.io/flaskapp-gateway unchanged",
			"virtualservice.networking.istio.io/expose-gw-any-flaskapp-gateway-a018d67d created",
		}, lines(r.Stdout)[:2])
		assert.Equal(t, gwBefore.ResourceVersion, w.gw(t, "reuse", "flaskapp-gateway").ResourceVersion)
		assert.Equal(t, []string{"flaskapp-gateway"}, w.vs(t, "reuse", "expose-gw-any-flaskapp-gateway-a018d67d").Spec.Gateways)
		assert.Len(t, w.snapshot(t, "reuse"), 2, "no Gateway of the tool's own")

		r = w.Kubectl("expose-gw", "-n", "reuse", "delete", "flaskapp")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{"virtualservice.networking.istio.io/expose-gw-any-flaskapp-gateway-a018d67d deleted"}, lines(r.Stdout))
		assert.Equal(t, gwBefore.ResourceVersion, w.gw(t, "reuse", "flaskapp-gateway").ResourceVersion, "never touches a user's Gateway")
	})

	t.Run("conflict with a user's VirtualService, then --force", func(t *testing.T) {
		w.app("clash", "flaskapp")
		_, err := w.Istio.NetworkingV1().Gateways("clash").Create(ctx, userGateway("clash", "shop", "shop.example.com"), metav1.CreateOptions{})
		require.NoError(t, err)
		_, err = w.Istio.NetworkingV1().VirtualServices("clash").Create(ctx, userVS("clash", "legacy", "shop.example.com", "shop", "/"), metav1.CreateOptions{})
		require.NoError(t, err)
		before := w.snapshot(t, "clash")
		r := w.Kubectl("expose-gw", "-n", "clash", "flaskapp", "--host", "shop.example.com", "--prefix", "/env")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, `error: virtualservice clash/legacy (not managed by kubectl-expose-gw) already binds host "shop.example.com" on gateway clash/shop and its route prefix / shadows prefix /env: add --force to merge the routes into it`+"\n", r.Stderr)
		assert.Equal(t, before, w.snapshot(t, "clash"))

		r = w.Kubectl("expose-gw", "-n", "clash", "list")
		assert.Equal(t, []string{
			"NAMESPACE   API     HOST               MATCH      DESTINATION                      GATEWAY      STATUS",
			"clash       istio   shop.example.com   prefix /   legacy.clash.svc.cluster.local   clash/shop   ok",
		}, lines(r.Stdout), "a user's VirtualService alone is no conflict")

		// Made by hand anyway, a second VirtualService for the host is listed
		// as a conflict (Istio merges it with the older one, moving the "/"
		// after its /env).
		_, err = w.Istio.NetworkingV1().VirtualServices("clash").Create(ctx, userVS("clash", "legacy2", "shop.example.com", "shop", "/env"), metav1.CreateOptions{})
		require.NoError(t, err)
		r = w.Kubectl("expose-gw", "-n", "clash", "list")
		assert.Equal(t, []string{
			"NAMESPACE   API     HOST               MATCH                DESTINATION                      GATEWAY      STATUS",
			"clash       istio   shop.example.com   prefix /             legacy.clash.svc.cluster.local   clash/shop   conflict with clash/legacy2",
			"clash       istio   shop.example.com   string-prefix /env   legacy.clash.svc.cluster.local   clash/shop   conflict with clash/legacy",
		}, lines(r.Stdout))
		require.NoError(t, w.Istio.NetworkingV1().VirtualServices("clash").Delete(ctx, "legacy2", metav1.DeleteOptions{}))
		before = w.snapshot(t, "clash")

		r = w.Kubectl("expose-gw", "-n", "clash", "flaskapp", "--host", "shop.example.com", "--prefix", "/env", "--force")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{"gateway.networking.istio.io/shop unchanged", "virtualservice.networking.istio.io/legacy configured"}, lines(r.Stdout)[:2])
		legacy := w.vs(t, "clash", "legacy")
		assert.Equal(t, []string{"flaskapp prefix /env", " prefix /"}, routes(legacy), "merged most specific first")
		assert.Empty(t, legacy.Labels, "a user's object stays the user's")
	})

	t.Run("a Gateway named like the tool's but not the tool's", func(t *testing.T) {
		w.app("namesake", "flaskapp")
		_, err := w.Istio.NetworkingV1().Gateways("namesake").Create(ctx, userGateway("namesake", "expose-gw", "other.example.com"), metav1.CreateOptions{})
		require.NoError(t, err)
		before := w.snapshot(t, "namesake")
		r := w.Kubectl("expose-gw", "-n", "namesake", "flaskapp")
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, "error: gateway namesake/expose-gw exists and is not managed by kubectl-expose-gw: name another with --gateway, or add --force to add servers to it\n", r.Stderr)
		assert.Equal(t, before, w.snapshot(t, "namesake"))
		r = w.Kubectl("expose-gw", "-n", "namesake", "flaskapp", "--gateway", "mine")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, "gateway.networking.istio.io/mine created", lines(r.Stdout)[0])
		r = w.Kubectl("expose-gw", "-n", "namesake", "svc/flaskapp", "--gateway", "expose-gw", "--prefix", "/x")
		assert.Equal(t, 1, r.ExitCode)
		r = w.Kubectl("expose-gw", "-n", "namesake", "svc/flaskapp", "--gateway", "expose-gw", "--force", "--prefix", "/x")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		gw := w.gw(t, "namesake", "expose-gw")
		require.Len(t, gw.Spec.Servers, 2)
		assert.Equal(t, []string{"other.example.com"}, gw.Spec.Servers[0].Hosts)
		assert.Equal(t, []string{"*"}, gw.Spec.Servers[1].Hosts)
		assert.Empty(t, gw.Labels, "a user's object stays the user's")
	})

	t.Run("several ports, TLS, mesh and a second host", func(t *testing.T) {
		w.CreateApp(testenv.App{Name: "api", Namespace: "tls", Ports: []corev1.ServicePort{
			{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}, {Name: "grpc", Port: 9000}}})
		// Istio reads the credential from the gateway pods' namespace.
		args := []string{"expose-gw", "-n", "tls", "api", "--port", "http", "--host", "api.example.com", "--tls-secret", "api-cert", "--https-redirect", "--mesh"}
		before := w.snapshot(t, "tls")
		r := w.Kubectl(args...)
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, "error: invalid --tls-secret \"api-cert\": expected a TLS Secret in namespace istio-system, where the gateway's pods run and Istio reads credentials (create it with kubectl create secret tls api-cert -n istio-system --cert=FILE --key=FILE)\n", r.Stderr)
		assert.Equal(t, before, w.snapshot(t, "tls"), "nothing written")
		w.CreateTLSSecret(testenv.IstioNamespace, "api-cert", "api.example.com", "grpc.example.com")
		r = w.Kubectl(args...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		gw := w.gw(t, "tls", "expose-gw")
		require.Len(t, gw.Spec.Servers, 2)
		assert.Equal(t, "http-80-redirect", gw.Spec.Servers[0].Name)
		assert.True(t, gw.Spec.Servers[0].Tls.HttpsRedirect)
		assert.Equal(t, uint32(443), gw.Spec.Servers[1].Port.Number)
		assert.Equal(t, "HTTPS", gw.Spec.Servers[1].Port.Protocol)
		assert.Equal(t, "api-cert", gw.Spec.Servers[1].Tls.CredentialName)
		assert.Equal(t, apinet.ServerTLSSettings_SIMPLE, gw.Spec.Servers[1].Tls.Mode)
		vs := w.vs(t, "tls", "expose-gw-api.example.com")
		assert.Equal(t, []string{"expose-gw", "mesh"}, vs.Spec.Gateways)
		// The name in the URL, for SNI; curl is told where it lives.
		assert.Equal(t, "curl --resolve api.example.com:31390:127.0.0.1 https://api.example.com:31390/", lines(r.Stdout)[2])
		status, svc := send(t, w, 8443, "api.example.com", "/x")
		assert.Equal(t, 200, status)
		assert.Equal(t, "api.tls.svc.cluster.local", svc, "Istio sends the HTTPS request to api")

		r = w.Kubectl("expose-gw", "-n", "tls", "api", "--port", "9000", "--host", "grpc.example.com", "--tls-secret", "api-cert", "--https-redirect")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		gw = w.gw(t, "tls", "expose-gw")
		assert.Equal(t, []string{"api.example.com", "grpc.example.com"}, gw.Spec.Servers[0].Hosts)
		assert.Equal(t, []string{"api.example.com", "grpc.example.com"}, gw.Spec.Servers[1].Hosts)
		assert.Equal(t, uint32(9000), w.vs(t, "tls", "expose-gw-grpc.example.com").Spec.Http[0].Route[0].Destination.Port.Number)

		r = w.Kubectl("expose-gw", "-n", "tls", "delete", "api", "--host", "grpc.example.com")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, []string{
			"virtualservice.networking.istio.io/expose-gw-grpc.example.com deleted",
			"gateway.networking.istio.io/expose-gw configured",
		}, lines(r.Stdout))
		gw = w.gw(t, "tls", "expose-gw")
		assert.Equal(t, []string{"api.example.com"}, gw.Spec.Servers[0].Hosts)
		assert.Equal(t, []string{"api.example.com"}, gw.Spec.Servers[1].Hosts)
	})

	t.Run("20 concurrent exposes on one host end with 20 routes", func(t *testing.T) {
		const n = 20
		for i := range n {
			w.app("many", fmt.Sprintf("app-%02d", i))
		}
		var wg sync.WaitGroup
		results := make([]testenv.Result, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = w.Kubectl("expose-gw", "-n", "many", fmt.Sprintf("app-%02d", i), "--host", "many.example.com", "--prefix", fmt.Sprintf("/app-%02d", i))
			}()
		}
		wg.Wait()
		for i, r := range results {
			assert.Equal(t, 0, r.ExitCode, "process %d: %s", i, r.Stderr)
		}
		vss, err := w.Istio.NetworkingV1().VirtualServices("many").List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		require.Len(t, vss.Items, 1)
		assert.Len(t, vss.Items[0].Spec.Http, n)
		gws, err := w.Istio.NetworkingV1().Gateways("many").List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		require.Len(t, gws.Items, 1)
		assert.Equal(t, []string{"many.example.com"}, gws.Items[0].Spec.Servers[0].Hosts)
	})

	exposeRefusals(t, w)
}
