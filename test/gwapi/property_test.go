package gwapi

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// Bounds of the property test, as the Istio API's (test/expose).
const (
	propertySequences = 4
	propertyOps       = 10
)

type row struct {
	API, Namespace, Host, Match, Destination, Gateway, Status, Rewrite string
}

// TestPropertyListMatchesIstioGatewayAPI is the Istio API's property test
// (test/expose TestPropertyListMatchesIstio) over the Gateway API: seeded
// random sequences of expose and delete through the real plugin (services
// in two namespaces, hosts "*", a name and a wildcard, path prefixes,
// exact paths, rewrites, --force), and after every operation each route
// `list -A -o json` reports ok gets a request for its host and a path
// under its match from Istio's control plane, through the pod Istio
// deploys for the route's Gateway, at its Service with the path the user
// expects; one reported shadowed must not get it.
func TestPropertyListMatchesIstioGatewayAPI(t *testing.T) {
	sequences := propertySequences
	if s, err := strconv.Atoi(os.Getenv("EXPOSE_GW_PROPERTY_SEQUENCES")); err == nil && s > 0 {
		sequences = s
	}
	env := testenv.Start(t, testenv.Options{Kwok: true})
	namespaces := []string{"default", "team-a"}
	services := []string{"web", "shop", "api"}
	for _, ns := range namespaces {
		for _, s := range services {
			env.CreateApp(testenv.App{Name: s, Namespace: ns})
		}
	}
	// --force often: identical matches of several Services, the
	// precedence Istio decides by age, are what list must tell.
	ops := testenv.PropertyOps{Namespaces: namespaces, Services: services,
		Hosts: []string{"*", "a.example.com", "*.example.com"}, Paths: []string{"/", "/env", "/api", "/env/deep"},
		Extra: []string{"--api", "gateway-api", "--wait=0"}, ForceOneIn: 2, Snapshot: env.RouteObjects}
	checked := ops.Run(t, env.Kubectl, 2000, sequences, propertyOps, func(at string) int { return checkRoutes(t, env, at) })
	t.Logf("property: %d sequences x %d operations, %d Gateway API routes (ok or shadowed) checked with a request through Istio's routes", sequences, propertyOps, checked)
	require.Positive(t, checked)
}

// checkRoutes sends a request for each ok or shadowed route through its
// Gateway's pod and checks where Istio sent it.
func checkRoutes(t *testing.T, env *testenv.Env, when string) int {
	t.Helper()
	r := env.Kubectl("expose-gw", "list", "-A", "-o", "json")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	var l struct{ Items []row }
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &l))
	addrs := map[string]string{}
	n := 0
	for _, it := range l.Items {
		require.Equal(t, "gateway-api", it.API, it)
		shadowed := strings.HasPrefix(it.Status, "shadowed by ")
		if it.Status != "ok" && !shadowed {
			continue
		}
		addr, ok := addrs[it.Gateway]
		if !ok {
			ns, name, _ := strings.Cut(it.Gateway, "/")
			addr = env.PortForward(ns, env.GatewayPod(ns, name), 80)
			addrs[it.Gateway] = addr
		}
		kind, p, _ := strings.Cut(it.Match, " ")
		host, path := testenv.ProbeRequest(it.Host, kind, p)
		status, seen, _ := get(t, addr, host, path)
		got := seen.Service() + ":80"
		if shadowed {
			if status == 200 && got == it.Destination {
				t.Errorf("%s: list says %s %s %s -> %s is %s, but Istio sent GET %s%s to it\n%s", when, it.Namespace, it.Host, it.Match, it.Destination, it.Status, host, path, r.Stdout)
			}
			n++
			continue
		}
		want := path
		if it.Rewrite != "" {
			want = testenv.RewrittenPath(kind, p, it.Rewrite, path)
		}
		if status != 200 || got != it.Destination || seen.Path != want {
			t.Errorf("%s: list says %s %s %s -> %s is ok, but Istio sent GET %s%s to %q (status %d) with path %q (want %q)\n%s",
				when, it.Namespace, it.Host, it.Match, it.Destination, host, path, got, status, seen.Path, want, r.Stdout)
		}
		n++
	}
	return n
}
