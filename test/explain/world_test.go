package explain

import (
	"fmt"
	"math/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// The pools random worlds and requests draw from: hosts, paths and
// matches chosen so that routes overlap, shadow each other and miss.
var (
	worldNamespaces = []string{"default", "team-a", "team-b"}
	worldApps       = []string{"web", "shop", "api"}
	vsHosts         = []string{"*", "a.example.com", "b.example.com", "*.example.com", "c.example.com"}
	serverHosts     = []string{"*", "*.example.com", "a.example.com", "team-a/*", "./b.example.com", "c.example.com"}
	requestHosts    = []string{"a.example.com", "b.example.com", "c.example.com", "x.example.com", "other.org", "elsewhere.net"}
	requestPaths    = []string{"/", "/api", "/api/v1", "/apix", "/shop", "/shop/cart", "/s", "/other"}
	prefixes        = []string{"/", "/api", "/api/", "/shop", "/s", "/sh"}
	exacts          = []string{"/api", "/shop/cart", "/", "/other"}
	regexes         = []string{"/api/v[0-9]+", "/shop.*", "/[a-z]+"}
)

func pick[T any](rng *rand.Rand, s []T) T { return s[rng.Intn(len(s))] }

// some is 1..max distinct elements of s.
func some[T comparable](rng *rand.Rand, s []T, max int) []T {
	n := 1 + rng.Intn(max)
	var out []T
	for _, i := range rng.Perm(len(s))[:min(n, len(s))] {
		out = append(out, s[i])
	}
	return out
}

// clearIstio deletes every Gateway and VirtualService of the world's
// namespaces.
func clearIstio(t *testing.T, env *testenv.Env) {
	t.Helper()
	for _, ns := range append([]string{testenv.IstioNamespace}, worldNamespaces...) {
		require.NoError(t, env.Istio.NetworkingV1().VirtualServices(ns).DeleteCollection(env.Ctx(), metav1.DeleteOptions{}, metav1.ListOptions{}))
		require.NoError(t, env.Istio.NetworkingV1().Gateways(ns).DeleteCollection(env.Ctx(), metav1.DeleteOptions{}, metav1.ListOptions{}))
	}
}

// istioWorld creates a random world of hand-written Gateways and
// VirtualServices and returns a description for failures.
func istioWorld(t *testing.T, env *testenv.Env, rng *rand.Rand) string {
	t.Helper()
	var desc []string
	var gws []string
	for i := range 1 + rng.Intn(3) {
		ns := pick(rng, []string{testenv.IstioNamespace, "default", "team-a"})
		g := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("g%d", i), Namespace: ns}}
		g.Spec.Selector = map[string]string{"istio": "ingressgateway"}
		for j := range 1 + rng.Intn(2) {
			g.Spec.Servers = append(g.Spec.Servers, &apinet.Server{Port: &apinet.Port{Number: 80, Protocol: "HTTP", Name: fmt.Sprintf("http-%d", j)},
				Hosts: some(rng, serverHosts, 2)})
		}
		_, err := env.Istio.NetworkingV1().Gateways(ns).Create(env.Ctx(), g, metav1.CreateOptions{})
		require.NoError(t, err)
		gws = append(gws, ns+"/"+g.Name)
		desc = append(desc, fmt.Sprintf("Gateway %s/%s %v", ns, g.Name, g.Spec.Servers))
	}
	// Names in random order, and a pause of a second part way, so that
	// creation order, creation second and name order all disagree.
	n := 3 + rng.Intn(6)
	names := rng.Perm(n)
	pause := rng.Intn(n + 1)
	for i := range n {
		if i == pause && i > 0 {
			time.Sleep(1100 * time.Millisecond)
		}
		ns := pick(rng, append(worldNamespaces, testenv.IstioNamespace))
		vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("vs%d", names[i]), Namespace: ns}}
		// Istio refuses a VirtualService whose hosts overlap.
		vs.Spec.Hosts = []string{pick(rng, vsHosts)}
		if rng.Intn(3) == 0 {
			vs.Spec.Hosts = some(rng, []string{"a.example.com", "b.example.com", "c.example.com"}, 2)
		}
		vs.Spec.Gateways = some(rng, gws, 2)
		if rng.Intn(6) == 0 {
			vs.Spec.ExportTo = []string{pick(rng, []string{".", testenv.IstioNamespace})} // seen by the gateway only from its namespace
		}
		for r := range 1 + rng.Intn(3) {
			vs.Spec.Http = append(vs.Spec.Http, randomRule(rng, r))
		}
		_, err := env.Istio.NetworkingV1().VirtualServices(ns).Create(env.Ctx(), vs, metav1.CreateOptions{})
		require.NoError(t, err)
		desc = append(desc, fmt.Sprintf("VirtualService %s/%s (created %d) hosts %v gateways %v exportTo %v http %v", ns, vs.Name, i, vs.Spec.Hosts, vs.Spec.Gateways, vs.Spec.ExportTo, vs.Spec.Http))
	}
	return strings.Join(desc, "\n")
}

func randomRule(rng *rand.Rand, r int) *apinet.HTTPRoute {
	h := &apinet.HTTPRoute{Name: fmt.Sprintf("r%d", r)}
	for range rng.Intn(3) {
		m := &apinet.HTTPMatchRequest{}
		switch rng.Intn(3) {
		case 0:
			m.Uri = &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: pick(rng, prefixes)}}
		case 1:
			m.Uri = &apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: pick(rng, exacts)}}
		default:
			m.Uri = &apinet.StringMatch{MatchType: &apinet.StringMatch_Regex{Regex: pick(rng, regexes)}}
		}
		if rng.Intn(5) == 0 {
			m.Headers = map[string]*apinet.StringMatch{"x-team": {MatchType: &apinet.StringMatch_Exact{Exact: "a"}}}
		}
		if rng.Intn(6) == 0 {
			m.Method = &apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: "POST"}}
		}
		h.Match = append(h.Match, m)
	}
	switch n := rng.Intn(10); {
	case n == 0:
		h.Redirect = &apinet.HTTPRedirect{Uri: "/moved"}
		if rng.Intn(2) == 0 {
			h.Redirect.Authority, h.Redirect.RedirectCode = "new.example.com", 302
		}
	case n == 1:
		h.DirectResponse = &apinet.HTTPDirectResponse{Status: 418, Body: &apinet.HTTPBody{Specifier: &apinet.HTTPBody_String_{String_: "teapot"}}}
	default:
		host := pick(rng, append(worldApps, "ghost"))
		if rng.Intn(3) == 0 {
			host += "." + pick(rng, worldNamespaces) + ".svc.cluster.local"
		}
		d := &apinet.Destination{Host: host}
		if rng.Intn(4) == 0 {
			d.Port = &apinet.PortSelector{Number: pick(rng, []uint32{80, 8080})}
		}
		h.Route = []*apinet.HTTPRouteDestination{{Destination: d}}
		if rng.Intn(4) == 0 {
			h.Rewrite = &apinet.HTTPRewrite{Uri: pick(rng, []string{"/", "/v2"})}
		}
	}
	return h
}

// randomRequest is a request of the pools.
func randomRequest(rng *rand.Rand) (method, host, path string, header http.Header) {
	method, header = "GET", http.Header{}
	if rng.Intn(4) == 0 {
		method = "POST"
	}
	if rng.Intn(4) == 0 {
		header.Set("x-team", "a")
	}
	return method, pick(rng, requestHosts), pick(rng, requestPaths), header
}

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }
