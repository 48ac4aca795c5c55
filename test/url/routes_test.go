package urltest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// freeNodePort is a port of the nodePort range free on 127.0.0.1.
func freeNodePort(t *testing.T, from int) int32 {
	t.Helper()
	for p := from; p < 32768; p++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			l.Close()
			return int32(p)
		}
	}
	t.Fatal("no free port in the nodePort range")
	return 0
}

func gateway(name string, port uint32, protocol string, hosts ...string) *networkingv1.Gateway {
	return &networkingv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: apinet.Gateway{
			Selector: map[string]string{"istio": "ingressgateway"},
			Servers:  []*apinet.Server{{Port: &apinet.Port{Number: port, Name: strings.ToLower(protocol), Protocol: protocol}, Hosts: hosts}},
		},
	}
}

func virtualService(name string, hosts, gateways []string, prefix, dest string) *networkingv1.VirtualService {
	return &networkingv1.VirtualService{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: apinet.VirtualService{
			Hosts:    hosts,
			Gateways: gateways,
			Http: []*apinet.HTTPRoute{{
				Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: prefix}}}},
				Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: dest, Port: &apinet.PortSelector{Number: 80}}}},
			}},
		},
	}
}

// seedRoutes creates the Gateways and VirtualServices of the seed article
// and a few that must not be listed for flaskapp.
func seedRoutes(t *testing.T, env *testenv.Env) {
	t.Helper()
	ctx := env.Ctx()
	for _, gw := range []*networkingv1.Gateway{
		gateway("flaskapp-gateway", 80, "HTTP", "*"),
		// A server given by the Envoy port (the Service's targetPort).
		gateway("hosts-gateway", 8080, "HTTP", "*.example.com"),
	} {
		_, err := env.Istio.NetworkingV1().Gateways("default").Create(ctx, gw, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	for _, vs := range []*networkingv1.VirtualService{
		virtualService("a-flaskapp", []string{"*"}, []string{"flaskapp-gateway"}, "/env", "flaskapp"),
		virtualService("b-flaskapp-host", []string{"flask.example.com"}, []string{"default/hosts-gateway"}, "/hello", "flaskapp.default.svc.cluster.local"),
		virtualService("c-other", []string{"*"}, []string{"flaskapp-gateway"}, "/other", "other.default.svc.cluster.local"),
		virtualService("d-mesh-only", []string{"flaskapp"}, []string{"mesh"}, "/mesh", "flaskapp"),
	} {
		_, err := env.Istio.NetworkingV1().VirtualServices("default").Create(ctx, vs, metav1.CreateOptions{})
		require.NoError(t, err)
	}
}

// TestURLServiceRoutes lists the URLs of a Service's routes, and the curl
// command it prints reaches the gateway (a stand-in listening on the
// nodePort of 127.0.0.1, the node's address) with the right Host header.
func TestURLServiceRoutes(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	np := freeNodePort(t, 31000)
	gw := testenv.NewRecorderOn(t, fmt.Sprintf("127.0.0.1:%d", np), false)
	env.SeedWorld(testenv.WorldOptions{HTTPNodePort: np, HTTPSNodePort: freeNodePort(t, int(np)+1),
		Apps: []testenv.App{{Name: "flaskapp"}, {Name: "unrouted"}}})
	seedRoutes(t, env)

	base := fmt.Sprintf("http://127.0.0.1:%d", np)
	r := env.Kubectl("expose-gw", "url", "flaskapp")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, base+"/env\n"+
		base+"/hello  Host: flask.example.com\n"+
		"  curl -H 'Host: flask.example.com' "+base+"/hello\n", r.Stdout)

	// The printed URL and curl command work.
	resp, err := http.Get(base + "/env")
	require.NoError(t, err)
	resp.Body.Close()
	curl := strings.TrimSpace(lines(r.Stdout)[2])
	c := env.RunCmd(env.Ctx(), env.Kubeconfig, nil, "bash", "-c", curl)
	require.Equal(t, 0, c.ExitCode, c.Stderr)
	seen := gw.Requests()
	require.Len(t, seen, 2)
	assert.Equal(t, "/env", seen[0].Path)
	assert.Equal(t, "flask.example.com", seen[1].Host)
	assert.Equal(t, "/hello", seen[1].Path)

	r = env.Kubectl("expose-gw", "url", "flaskapp", "-o", "json")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	var rep struct {
		Service string           `json:"service"`
		Routes  []map[string]any `json:"routes"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &rep))
	assert.Equal(t, "default/flaskapp", rep.Service)
	require.Len(t, rep.Routes, 2)
	assert.Equal(t, map[string]any{"url": base + "/hello", "hostHeader": "flask.example.com",
		"curl": "curl -H 'Host: flask.example.com' " + base + "/hello", "virtualService": "default/b-flaskapp-host",
		"gateway": "default/hosts-gateway"}, rep.Routes[1])

	for _, tc := range []struct{ args []string }{{[]string{"flaskapp", "-n", "default"}}} {
		r = env.Kubectl(append([]string{"expose-gw", "url"}, tc.args...)...)
		assert.Equal(t, 0, r.ExitCode, r.Stderr)
	}

	r = env.Kubectl("expose-gw", "url", "nope")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, "error: service \"nope\" not found in namespace \"default\": expected an existing Service (see kubectl get services -n default)\n", r.Stderr)
	r = env.Kubectl("expose-gw", "url", "unrouted")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, "error: no routes to service default/unrouted: no VirtualService or HTTPRoute in namespace default routes to it through a Gateway (run `kubectl expose-gw unrouted` first)\n", r.Stderr)
	r = env.Kubectl("expose-gw", "url", "flaskapp", "--https")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, "error: no HTTPS routes to service default/flaskapp: no VirtualService or HTTPRoute in namespace default routes to it through a Gateway (run `kubectl expose-gw flaskapp` first)\n", r.Stderr)

	// May read everything but Istio's Gateways: the error names the get
	// of the Gateway that was refused, not the VirtualServices' list.
	kc := env.AddUser("no-istio-gateways", nil)
	env.Grant("no-istio-gateways", "", []rbacv1.PolicyRule{
		{APIGroups: []string{"", "gateway.networking.k8s.io"}, Resources: []string{"*"}, Verbs: []string{"get", "list"}},
		{APIGroups: []string{"networking.istio.io"}, Resources: []string{"virtualservices"}, Verbs: []string{"get", "list"}},
	})
	r = env.KubectlAs(kc, "expose-gw", "url", "flaskapp")
	assert.Equal(t, 1, r.ExitCode)
	assert.True(t, strings.HasPrefix(r.Stderr, `error: forbidden: you may not get gateways.networking.istio.io (ask for RBAC permission to "get" "gateways.networking.istio.io"): getting Gateway default/`), r.Stderr)
	assert.NotContains(t, r.Stderr, "virtualservices.networking.istio.io (ask")
}
