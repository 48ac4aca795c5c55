package proxy

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestURLListsTheRoutesIstioTakes checks `url SERVICE` against Istio on
// hand-written objects that name gateways and destinations in each way
// Istio reads them: "g" and the legacy g.NS.svc.cluster.local bind the
// Gateway ("./g", which pilot reads too, fails Istio's validation), and a
// destination "flaskapp.default" is not the Service to
// Istio (only names without a dot get the namespace appended). Every route
// url lists is sent through the Istio-driven gateway and must reach the
// Service; the one it leaves out must not.
func TestURLListsTheRoutesIstioTakes(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{Apps: []testenv.App{{Name: "flaskapp"}}})
	// Istio's analyzers rightly flag the destination that names no Service.
	env.AllowAnalysis("IST0101")
	ctx := env.Ctx()
	gw := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "g", Namespace: "default"},
		Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*apinet.Server{{Port: &apinet.Port{Number: 80, Name: "http", Protocol: "HTTP"}, Hosts: []string{"*"}}}}}
	_, err := env.Istio.NetworkingV1().Gateways("default").Create(ctx, gw, metav1.CreateOptions{})
	require.NoError(t, err)
	// A "*" VirtualService on a Gateway of one host serves that host only;
	// the Gateway's redirecting server carries no route.
	named := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "named", Namespace: "default"},
		Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"}, Servers: []*apinet.Server{
			{Port: &apinet.Port{Number: 80, Name: "http-shop", Protocol: "HTTP"}, Hosts: []string{"shop.example.com"}},
			{Port: &apinet.Port{Number: 8081, Name: "http-redirect", Protocol: "HTTP"}, Hosts: []string{"shop.example.com"},
				Tls: &apinet.ServerTLSSettings{HttpsRedirect: true}},
		}}}
	_, err = env.Istio.NetworkingV1().Gateways("default").Create(ctx, named, metav1.CreateOptions{})
	require.NoError(t, err)
	for _, v := range []struct{ name, host, gateway, prefix, dest string }{
		{"star", "*", "named", "/star", "flaskapp"},
		{"short", "a.example.com", "g", "/short", "flaskapp"},
		{"dotted", "b.example.com", "g", "/dotted", "flaskapp.default"},
		{"legacy", "c.example.com", "g.default.svc.cluster.local", "/legacy", "flaskapp.default.svc.cluster.local"},
	} {
		vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: v.name, Namespace: "default"},
			Spec: apinet.VirtualService{Hosts: []string{v.host}, Gateways: []string{v.gateway}, Http: []*apinet.HTTPRoute{{
				Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: v.prefix}}}},
				Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: v.dest, Port: &apinet.PortSelector{Number: 80}}}},
			}}}}
		_, err := env.Istio.NetworkingV1().VirtualServices("default").Create(ctx, vs, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	env.IstioGateway.Sync()

	r := env.Kubectl("expose-gw", "url", "flaskapp", "-o", "json")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	var rep struct {
		Routes []struct {
			URL            string `json:"url"`
			HostHeader     string `json:"hostHeader"`
			VirtualService string `json:"virtualService"`
		} `json:"routes"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &rep), r.Stdout)
	var listed []string
	for _, rt := range rep.Routes {
		listed = append(listed, rt.VirtualService)
	}
	sort.Strings(listed)
	assert.Equal(t, []string{"default/legacy", "default/short", "default/star"}, listed, "each once: not on the redirecting server")

	gateway := "http://" + env.IstioGateway.PortAddr("istio-system", 8080)
	send := func(host, path string) (int, testenv.Request) {
		req, err := http.NewRequest("GET", gateway+path, nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var seen testenv.Request
		if resp.StatusCode == 200 {
			require.NoError(t, json.Unmarshal(body, &seen))
		}
		return resp.StatusCode, seen
	}
	// Every route url lists reaches the Service, sent as url says: its
	// path, with its Host header (none: the gateway's address).
	for _, rt := range rep.Routes {
		u, err := url.Parse(rt.URL)
		require.NoError(t, err)
		host := rt.HostHeader
		if host == "" {
			host = "gateway.invalid"
		}
		status, seen := send(host, u.Path)
		if assert.Equal(t, 200, status, "%s Host %s", rt.URL, rt.HostHeader) {
			assert.Equal(t, "flaskapp.default.svc.cluster.local", seen.Service(), "Istio sends %s (Host %s) to flaskapp", rt.URL, rt.HostHeader)
		}
	}
	status, seen := send("b.example.com", "/dotted")
	assert.NotEqual(t, "flaskapp.default.svc.cluster.local", seen.Service(), "Istio does not read flaskapp.default as the Service (status %d)", status)
}
