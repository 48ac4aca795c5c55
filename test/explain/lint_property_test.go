package explain

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// probe is a request aimed at one rule.
type probe struct {
	method, path string
	header       http.Header
}

// regexSamples are paths the pools' regexes match.
var regexSamples = map[string]string{"/api/v[0-9]+": "/api/v1", "/shop.*": "/shopx", "/[a-z]+": "/abc"}

func pathProbes(kind, p string) []string {
	switch kind {
	case "exact":
		return []string{p}
	case "regex":
		return []string{regexSamples[p]}
	}
	// a letter and a digit: regexes of letters take one, not the other
	return []string{p, strings.TrimSuffix(p, "/") + "/x", strings.TrimSuffix(p, "/") + "/9/9"}
}

// lintUnreachable runs lint -A -o json and returns the rules it says no
// request reaches ("ns/name/rule"; rule -1: the whole object).
func lintUnreachable(t *testing.T, env *testenv.Env, api string) (map[string]bool, []route.Finding) {
	t.Helper()
	r := env.Kubectl("expose-gw", "lint", "-A", "-o", "json", "--api", api)
	var l struct{ Items []route.Finding }
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &l), "lint: exit %d\n%s\n%s", r.ExitCode, r.Stdout, r.Stderr)
	want := 0
	if len(l.Items) > 0 {
		want = 1
	}
	require.Equal(t, want, r.ExitCode, r.Stderr)
	out := map[string]bool{}
	for _, f := range l.Items {
		switch f.Code {
		case route.CodeUnreachable:
			rule := -1 // the whole object
			if f.Rule != nil {
				rule = *f.Rule
			}
			out[fmt.Sprintf("%s/%s/%d", f.Namespace, f.Name, rule)] = true
		case route.CodeHostNotInGateway, route.CodeNotVisible:
			out[fmt.Sprintf("%s/%s/-1", f.Namespace, f.Name)] = true
		}
	}
	return out, l.Items
}

func unreachable(set map[string]bool, ns, name string, rule int) bool {
	return set[fmt.Sprintf("%s/%s/%d", ns, name, rule)] || set[fmt.Sprintf("%s/%s/-1", ns, name)]
}

// checkLint sends every probe of every rule through the gateway and
// checks lint's verdicts: a rule it reports unreachable receives none; a
// rule it does not receives at least one.
func checkLint(t *testing.T, w int, addr string, rules map[string][]probe, set map[string]bool, findings []route.Finding, desc string, received func(decision) string) (int, int) {
	t.Helper()
	got := map[string]bool{}
	for _, ps := range rules {
		for _, p := range ps {
			for _, h := range requestHosts {
				_, d := send(t, addr, p.method, h, p.path, p.header)
				if k := received(d); k != "" {
					got[k] = true
				}
			}
		}
	}
	bad, fine := 0, 0
	keys := make([]string, 0, len(rules))
	for k := range rules {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts := strings.Split(k, "/")
		var rule int
		fmt.Sscan(parts[2], &rule)
		un := unreachable(set, parts[0], parts[1], rule)
		switch {
		case un && got[k]:
			t.Errorf("world %d: lint says rule %s is never reached, but Istio routed a probe to it\nlint: %+v\nworld:\n%s", w, k, findings, desc)
			bad++
		case !un && !got[k]:
			t.Errorf("world %d: lint finds rule %s fine, but none of its probes reached it\nprobes: %+v\nlint: %+v\nworld:\n%s", w, k, rules[k], findings, desc)
			bad++
		case !un:
			fine++
		}
	}
	return fine, len(keys) - fine
}

// TestPropertyLintMatchesIstio: on random worlds of hand-written Gateways
// and VirtualServices, every rule lint reports unreachable receives no
// probe Istio routes to it, and every other rule receives at least one of
// the probes aimed at it.
func TestPropertyLintMatchesIstio(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{})
	for _, ns := range worldNamespaces {
		for _, a := range worldApps {
			env.CreateApp(testenv.App{Name: a, Namespace: ns})
		}
	}
	addr := env.IstioGateway.PortAddr(testenv.IstioNamespace, 8080)
	rng := newRand(31)
	fine, unreached := 0, 0
	for w := range worlds() {
		clearIstio(t, env)
		desc := istioWorld(t, env, rng)
		env.IstioGateway.Sync()
		set, findings := lintUnreachable(t, env, "istio")
		rules := map[string][]probe{}
		for _, ns := range append(worldNamespaces, testenv.IstioNamespace) {
			l, err := env.Istio.NetworkingV1().VirtualServices(ns).List(env.Ctx(), metav1.ListOptions{})
			require.NoError(t, err)
			for _, vs := range l.Items {
				for i, h := range vs.Spec.Http {
					k := fmt.Sprintf("%s/%s/%d", vs.Namespace, vs.Name, i)
					rules[k] = istioProbes(h)
				}
			}
		}
		f, u := checkLint(t, w, addr, rules, set, findings, desc, func(d decision) string {
			i := strings.Index(d.Config, "/namespaces/")
			if i < 0 || !strings.HasPrefix(d.Route, "r") {
				return ""
			}
			p := strings.Split(d.Config[i+len("/namespaces/"):], "/") // NS/virtual-service/NAME
			return p[0] + "/" + p[2] + "/" + strings.TrimPrefix(d.Route, "r")
		})
		fine, unreached = fine+f, unreached+u
	}
	t.Logf("lint property: %d worlds, %d rules found fine (each reached by a probe), %d reported unreachable (none reached)", worlds(), fine, unreached)
	require.Positive(t, fine, "no rule found fine: the worlds prove nothing")
	require.Positive(t, unreached, "no rule reported unreachable: the worlds prove nothing")
}

func istioProbes(h *apinet.HTTPRoute) []probe {
	if len(h.Match) == 0 {
		return []probe{{method: "GET", path: "/x", header: http.Header{}}, {method: "GET", path: "/9/9", header: http.Header{}}}
	}
	var out []probe
	for _, m := range h.Match {
		method, header := "GET", http.Header{}
		if m.Method != nil {
			method = m.Method.GetExact()
		}
		for k, v := range m.Headers {
			header.Set(k, v.GetExact())
		}
		kind, p := "prefix", "/"
		switch u := m.GetUri().GetMatchType().(type) {
		case *apinet.StringMatch_Exact:
			kind, p = "exact", u.Exact
		case *apinet.StringMatch_Prefix:
			p = u.Prefix
		case *apinet.StringMatch_Regex:
			kind, p = "regex", u.Regex
		}
		for _, path := range pathProbes(kind, p) {
			out = append(out, probe{method: method, path: path, header: header})
		}
	}
	return out
}

// TestPropertyLintMatchesIstioGatewayAPI: the same for random HTTPRoutes.
func TestPropertyLintMatchesIstioGatewayAPI(t *testing.T) {
	env, addr := gatewayAPIWorldEnv(t)
	rng := newRand(33)
	fine, unreached := 0, 0
	for w := range worlds() {
		clearRoutes(t, env)
		desc := gatewayAPIWorld(t, env, rng)
		env.IstioGateway.Sync()
		set, findings := lintUnreachable(t, env, "gateway-api")
		// Routes Istio did not accept are reported as such, not probed.
		rules := map[string][]probe{}
		for _, ns := range worldNamespaces {
			l, err := env.GatewayAPI.GatewayV1().HTTPRoutes(ns).List(env.Ctx(), metav1.ListOptions{})
			require.NoError(t, err)
			for _, r := range l.Items {
				if slices.ContainsFunc(findings, func(f route.Finding) bool {
					return f.Code == route.CodeRouteNotAccepted && f.Namespace == r.Namespace && f.Name == r.Name
				}) {
					continue
				}
				for i, rule := range r.Spec.Rules {
					rules[fmt.Sprintf("%s/%s/%d", r.Namespace, r.Name, i)] = gatewayProbes(rule)
				}
			}
		}
		f, u := checkLint(t, w, addr, rules, set, findings, desc, func(d decision) string {
			p := strings.Split(d.Route, ".") // NS.NAME.RULE
			if len(p) != 3 {
				return ""
			}
			return p[0] + "/" + p[1] + "/" + p[2]
		})
		fine, unreached = fine+f, unreached+u
	}
	t.Logf("lint property: %d worlds, %d rules found fine (each reached by a probe), %d reported unreachable (none reached)", worlds(), fine, unreached)
	require.Positive(t, fine, "no rule found fine: the worlds prove nothing")
	require.Positive(t, unreached, "no rule reported unreachable: the worlds prove nothing")
}

func gatewayProbes(rule gwv1.HTTPRouteRule) []probe {
	var out []probe
	for _, m := range rule.Matches {
		method, header := "GET", http.Header{}
		if m.Method != nil {
			method = string(*m.Method)
		}
		for _, h := range m.Headers {
			header.Set(string(h.Name), h.Value)
		}
		q := ""
		for _, qp := range m.QueryParams {
			q = "?" + string(qp.Name) + "=" + qp.Value
		}
		kind := map[gwv1.PathMatchType]string{gwv1.PathMatchExact: "exact", gwv1.PathMatchRegularExpression: "regex"}[ptr.Deref(m.Path.Type, gwv1.PathMatchPathPrefix)]
		for _, path := range pathProbes(kind, ptr.Deref(m.Path.Value, "/")) {
			out = append(out, probe{method: method, path: path + q, header: header})
		}
	}
	return out
}
