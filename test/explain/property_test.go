package explain

import (
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// Bounds of the property tests: random worlds per run (override with
// EXPOSE_GW_EXPLAIN_WORLDS) and requests per world.
const (
	propertyWorlds   = 6
	propertyRequests = 20
)

func worlds() int {
	if n, err := strconv.Atoi(os.Getenv("EXPOSE_GW_EXPLAIN_WORLDS")); err == nil && n > 0 {
		return n
	}
	return propertyWorlds
}

// disagreement is "" when explain's verdict e on a request is what Istio
// did with it (status and decision d of the test gateway), else why not.
// kind and config name the route objects in Envoy's route metadata;
// ruleName is the Envoy route name Istio gives rule i of an object.
func disagreement(e route.Explanation, status int, d decision, configKind string, ruleName func(ns, name string, rule int) string) string {
	var want string
	switch {
	case d.Reason == "route_not_found":
		want = route.OutcomeNotFound
	case d.Reason == "redirect" || d.Reason == "require_tls":
		want = route.OutcomeRedirected
		if e.Redirect != d.Location || e.Status != d.Status {
			return fmt.Sprintf("Istio redirects %d to %s, explain says %d to %s", d.Status, d.Location, e.Status, e.Redirect)
		}
	case d.Reason == "direct_response":
		want = route.OutcomeDirectResponse
		if e.Status != status {
			return fmt.Sprintf("Istio answers %d directly, explain says %d", status, e.Status)
		}
	case d.Reason == "cluster_not_found":
		want = route.OutcomeUnavailable
		if e.Backend == nil || cluster(e.Backend) != d.Cluster || e.Status != d.Status {
			return fmt.Sprintf("Istio answers %d for missing cluster %s, explain says %d for %+v", d.Status, d.Cluster, e.Status, e.Backend)
		}
	case d.Cluster != "" && status == http.StatusOK:
		want = route.OutcomeRouted
		if e.Backend == nil || cluster(e.Backend) != d.Cluster || e.Backend.Path != d.Path {
			return fmt.Sprintf("Istio sends it to %s as %s, explain says %+v", d.Cluster, d.Path, e.Backend)
		}
	default:
		return fmt.Sprintf("the test gateway answered %d %+v: not a decision this test knows", status, d)
	}
	if e.Outcome != want {
		return fmt.Sprintf("Istio's outcome is %s (%d %s), explain says %s: %s", want, status, d.Reason, e.Outcome, e.Reason)
	}
	if d.Route != "" || d.Config != "" {
		if e.Route == nil {
			return fmt.Sprintf("Istio used route %q of %s, explain names no rule", d.Route, d.Config)
		}
		r := e.Route
		if configKind != "" && !strings.HasSuffix(d.Config, "/namespaces/"+r.Namespace+"/"+configKind+"/"+r.Name) {
			return fmt.Sprintf("Istio used a route of %s, explain says %s %s/%s", d.Config, r.Kind, r.Namespace, r.Name)
		}
		if got := ruleName(r.Namespace, r.Name, r.Rule); got != d.Route {
			return fmt.Sprintf("Istio used route %q of %s, explain says rule %d (%q) of %s/%s", d.Route, d.Config, r.Rule, got, r.Namespace, r.Name)
		}
	}
	return ""
}

// TestPropertyExplainMatchesIstio: in random worlds of hand-written
// Gateways and VirtualServices (three namespaces, ns/host scoping, prefix,
// exact and regex matches, header and method matches, several matches per
// rule, rewrites, redirects, direct responses, missing destinations and
// ports, objects created in the same second), explain's verdict on random
// requests is what Istio's control plane does with them.
func TestPropertyExplainMatchesIstio(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{NoGatewayPod: false})
	for _, ns := range worldNamespaces {
		for _, a := range worldApps {
			env.CreateApp(testenv.App{Name: a, Namespace: ns})
		}
	}
	addr := env.IstioGateway.PortAddr(testenv.IstioNamespace, 8080)
	rng := rand.New(rand.NewSource(24))
	n, checked := worlds(), 0
	outcomes := map[string]int{}
	for w := range n {
		clearIstio(t, env)
		desc := istioWorld(t, env, rng)
		env.IstioGateway.Sync()
		for range propertyRequests {
			method, host, path, header := randomRequest(rng)
			status, d := send(t, addr, method, host, path, header)
			args := []string{"--api", "istio", "-X", method}
			for k := range header {
				args = append(args, "-H", k+": "+header.Get(k))
			}
			e, _ := explain(t, env, "http://"+host+path, args...)
			outcomes[e.Outcome]++
			checked++
			if why := disagreement(e, status, d, "virtual-service", func(_, _ string, rule int) string { return fmt.Sprintf("r%d", rule) }); why != "" {
				t.Errorf("world %d: %s http://%s%s %v: %s\nexplain: %+v\nworld:\n%s\nIstio's routes:\n%s", w, method, host, path, header, why, e, desc, env.IstioGateway.Routes())
			}
		}
	}
	t.Logf("property: %d worlds x %d requests = %d verdicts compared with Istio's; outcomes %v", n, propertyRequests, checked, outcomes)
	requireVariety(t, outcomes)
}

// TestPropertyExplainMatchesIstioGatewayAPI: the same for random
// HTTPRoutes (three namespaces, hostnames, sectionNames, prefix, exact and
// regex matches, header, method and query matches, several matches per
// rule, rewrites, redirects, rules without backend, missing Services and
// ports) on a Gateway of three listeners, through the port-forward of
// the Gateway's pod: explain's verdict is what Istio's Gateway API
// controller and pilot do with each request.
func TestPropertyExplainMatchesIstioGatewayAPI(t *testing.T) {
	env, addr := gatewayAPIWorldEnv(t)
	rng := rand.New(rand.NewSource(26))
	n, checked := worlds(), 0
	outcomes := map[string]int{}
	for w := range n {
		clearRoutes(t, env)
		desc := gatewayAPIWorld(t, env, rng)
		env.IstioGateway.Sync()
		for range propertyRequests {
			method, host, path, header := randomRequest(rng)
			if rng.Intn(6) == 0 {
				path += "?v=2"
			}
			status, d := send(t, addr, method, host, path, header)
			args := []string{"--api", "gateway-api", "--gateway", "default/shared", "-X", method}
			for k := range header {
				args = append(args, "-H", k+": "+header.Get(k))
			}
			e, _ := explain(t, env, "http://"+host+path, args...)
			outcomes[e.Outcome]++
			checked++
			if why := disagreement(e, status, d, "", func(ns, name string, rule int) string { return fmt.Sprintf("%s.%s.%d", ns, name, rule) }); why != "" {
				t.Errorf("world %d: %s http://%s%s %v: %s\nexplain: %+v\nworld:\n%s\nIstio's routes:\n%s", w, method, host, path, header, why, e, desc, env.IstioGateway.Routes())
			}
		}
	}
	t.Logf("property: %d worlds x %d requests = %d verdicts compared with Istio's; outcomes %v", n, propertyRequests, checked, outcomes)
	requireVariety(t, outcomes)
}

// requireVariety fails a run whose worlds were too tame to prove much:
// routed and not-found requests and at least four outcomes in all.
func requireVariety(t *testing.T, outcomes map[string]int) {
	t.Helper()
	require.Positive(t, outcomes[route.OutcomeRouted], "no request was routed: %v", outcomes)
	require.Positive(t, outcomes[route.OutcomeNotFound], "no request got a 404: %v", outcomes)
	require.GreaterOrEqual(t, len(outcomes), 4, "too few kinds of outcome: %v", outcomes)
}
