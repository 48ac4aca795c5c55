package explain

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// sharedGateway is the Gateway API world's Gateway default/shared: three
// HTTP listeners on port 80 (any host, *.example.com, and b.example.com
// for routes of its own namespace only).
func sharedGateway() *gwv1.Gateway {
	all := &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr.To(gwv1.NamespacesFromAll)}}
	return &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "shared", Namespace: "default"},
		Spec: gwv1.GatewaySpec{GatewayClassName: "istio", Listeners: []gwv1.Listener{
			{Name: "any", Port: 80, Protocol: gwv1.HTTPProtocolType, AllowedRoutes: all},
			{Name: "wild", Port: 80, Protocol: gwv1.HTTPProtocolType, Hostname: ptr.To(gwv1.Hostname("*.example.com")), AllowedRoutes: all},
			{Name: "b", Port: 80, Protocol: gwv1.HTTPProtocolType, Hostname: ptr.To(gwv1.Hostname("b.example.com"))},
		}}}
}

// gatewayAPIWorldEnv starts the Gateway API worlds' cluster: the worlds'
// apps in every namespace, the Gateway default/shared of class istio, and
// a port-forward to its pod's port 80 (the address returned).
func gatewayAPIWorldEnv(t *testing.T) (*testenv.Env, string) {
	t.Helper()
	env := testenv.Start(t, testenv.Options{Kwok: true})
	for _, ns := range worldNamespaces {
		for _, a := range worldApps {
			env.CreateApp(testenv.App{Name: a, Namespace: ns})
		}
	}
	_, err := env.GatewayAPI.GatewayV1().Gateways("default").Create(env.Ctx(), sharedGateway(), metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()
	addr := env.PortForward("default", env.GatewayPod("default", "shared"), 80)
	return env, addr
}

var routeHostnames = []string{"a.example.com", "b.example.com", "*.example.com", "c.example.com", "other.org"}

// clearRoutes deletes the HTTPRoutes of the world's namespaces.
func clearRoutes(t *testing.T, env *testenv.Env) {
	t.Helper()
	for _, ns := range worldNamespaces {
		require.NoError(t, env.GatewayAPI.GatewayV1().HTTPRoutes(ns).DeleteCollection(env.Ctx(), metav1.DeleteOptions{}, metav1.ListOptions{}))
	}
}

// gatewayAPIWorld creates random HTTPRoutes on default/shared.
func gatewayAPIWorld(t *testing.T, env *testenv.Env, rng *rand.Rand) string {
	t.Helper()
	var desc []string
	n := 3 + rng.Intn(6)
	names := rng.Perm(n)
	pause := rng.Intn(n + 1)
	for i := range n {
		if i == pause && i > 0 {
			time.Sleep(1100 * time.Millisecond)
		}
		ns := pick(rng, worldNamespaces)
		r := &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("hr%d", names[i]), Namespace: ns}}
		p := gwv1.ParentReference{Name: "shared", Namespace: ptr.To(gwv1.Namespace("default"))}
		if rng.Intn(3) == 0 {
			p.SectionName = ptr.To(gwv1.SectionName(pick(rng, []string{"any", "wild", "b"})))
		}
		r.Spec.ParentRefs = []gwv1.ParentReference{p}
		if rng.Intn(4) > 0 {
			for _, h := range some(rng, routeHostnames, 2) {
				r.Spec.Hostnames = append(r.Spec.Hostnames, gwv1.Hostname(h))
			}
		}
		for range 1 + rng.Intn(3) {
			r.Spec.Rules = append(r.Spec.Rules, randomHTTPRule(rng, ns))
		}
		_, err := env.GatewayAPI.GatewayV1().HTTPRoutes(ns).Create(env.Ctx(), r, metav1.CreateOptions{})
		require.NoError(t, err, "%+v", r.Spec)
		desc = append(desc, fmt.Sprintf("HTTPRoute %s/%s (created %d at %s) section %q hostnames %v rules %s", ns, r.Name, i, time.Now().Format("15:04:05.000"), ptr.Deref(p.SectionName, ""), r.Spec.Hostnames, describeRules(r.Spec.Rules)))
	}
	return strings.Join(desc, "\n")
}

func randomHTTPRule(rng *rand.Rand, ns string) gwv1.HTTPRouteRule {
	var rule gwv1.HTTPRouteRule
	for range rng.Intn(3) {
		m := gwv1.HTTPRouteMatch{}
		switch rng.Intn(3) {
		case 0:
			m.Path = &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchPathPrefix), Value: ptr.To(pick(rng, prefixes))}
		case 1:
			m.Path = &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchExact), Value: ptr.To(pick(rng, exacts))}
		default:
			m.Path = &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchRegularExpression), Value: ptr.To(pick(rng, regexes))}
		}
		if rng.Intn(5) == 0 {
			m.Headers = []gwv1.HTTPHeaderMatch{{Name: "x-team", Value: "a"}}
		}
		if rng.Intn(6) == 0 {
			m.Method = ptr.To(gwv1.HTTPMethodPost)
		}
		if rng.Intn(8) == 0 {
			m.QueryParams = []gwv1.HTTPQueryParamMatch{{Name: "v", Value: "2"}}
		}
		rule.Matches = append(rule.Matches, m)
	}
	onePrefix := len(rule.Matches) == 1 && *rule.Matches[0].Path.Type == gwv1.PathMatchPathPrefix
	switch n := rng.Intn(10); {
	case n == 0:
		f := &gwv1.HTTPRequestRedirectFilter{Path: &gwv1.HTTPPathModifier{Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: ptr.To("/moved")}}
		if rng.Intn(2) == 0 {
			f.Hostname, f.StatusCode = ptr.To(gwv1.PreciseHostname("new.example.com")), ptr.To(301)
		}
		rule.Filters = []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterRequestRedirect, RequestRedirect: f}}
	case n == 1:
		// no backend: the Gateway API's 500
	default:
		b := gwv1.HTTPBackendRef{BackendRef: gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{
			Name: gwv1.ObjectName(pick(rng, append(worldApps, "ghost"))), Port: ptr.To(gwv1.PortNumber(80))}}}
		if rng.Intn(6) == 0 {
			b.Port = ptr.To(gwv1.PortNumber(8080))
		}
		rule.BackendRefs = []gwv1.HTTPBackendRef{b}
		if onePrefix && rng.Intn(3) == 0 {
			rule.Filters = []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: &gwv1.HTTPURLRewriteFilter{
				Path: &gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To(pick(rng, []string{"/", "/v2"}))}}}}
		}
	}
	return rule
}

func describeRules(rules []gwv1.HTTPRouteRule) string {
	var out []string
	for i, r := range rules {
		var ms []string
		for _, m := range r.Matches {
			s := string(*m.Path.Type) + " " + *m.Path.Value
			if m.Method != nil {
				s += " " + string(*m.Method)
			}
			if len(m.Headers) > 0 {
				s += " x-team=a"
			}
			if len(m.QueryParams) > 0 {
				s += " ?v=2"
			}
			ms = append(ms, s)
		}
		var to []string
		for _, b := range r.BackendRefs {
			to = append(to, fmt.Sprintf("%s:%d", b.Name, *b.Port))
		}
		var fs []string
		for _, f := range r.Filters {
			fs = append(fs, string(f.Type))
		}
		out = append(out, fmt.Sprintf("[%d: %v -> %v %v]", i, ms, to, fs))
	}
	return strings.Join(out, " ")
}
