package gwapi

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// raceRounds is how many rounds TestConcurrentDeletesAndExposesGatewayAPI
// plays (override with EXPOSE_GW_RACE_ROUNDS).
const raceRounds = 4

// TestConcurrentDeletesAndExposesGatewayAPI is the Istio API's race test
// (test/expose TestConcurrentDeletesAndExposes) over the Gateway API: on
// the tool's one Gateway of a namespace, deletes of different Services
// race each other (one round in three, the last routes of the Gateway at
// once) and exposes of new hosts (one in three, also a delete and an
// expose of the same Service, where either may win); after each round every command exited
// 0, a deleted Service has no HTTPRoute left, every route not deleted
// gets its request from Istio through the Gateway's pod, the Gateway is
// gone when no route is attached and was not created again otherwise,
// and no HTTPRoute that survives was created again.
func TestConcurrentDeletesAndExposesGatewayAPI(t *testing.T) {
	rounds := raceRounds
	if n, err := strconv.Atoi(os.Getenv("EXPOSE_GW_RACE_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	env := testenv.Start(t, testenv.Options{Kwok: true})
	const ns = "race"
	var svcs []string
	for i := range 6 {
		svcs = append(svcs, fmt.Sprintf("svc%d", i))
		env.CreateApp(testenv.App{Name: svcs[i], Namespace: ns})
	}
	host := func(svc string) string { return svc + ".race.example.com" }
	expose := func(svc string) []string {
		return []string{"expose-gw", "-n", ns, svc, "--api", "gateway-api", "--wait=0", "--host", host(svc), "--prefix", "/"}
	}
	gw := env.GatewayAPI.GatewayV1()
	for round := range rounds {
		at := fmt.Sprintf("round %d", round)
		for _, s := range svcs[:4] {
			r := env.Kubectl(expose(s)...)
			require.Equal(t, 0, r.ExitCode, "%s: %s", at, r.Stderr)
		}
		before := map[string]string{}
		g, err := gw.Gateways(ns).Get(env.Ctx(), "expose-gw", metav1.GetOptions{})
		require.NoError(t, err, at)
		before["gateway"] = string(g.UID)
		routes, err := gw.HTTPRoutes(ns).List(env.Ctx(), metav1.ListOptions{})
		require.NoError(t, err)
		for _, r := range routes.Items {
			before[r.Name] = string(r.UID)
		}
		deleted, exposed := svcs[:3], svcs[4:]
		var contested []string // deleted and exposed again at once: either may win
		switch round % 3 {
		case 2:
			deleted, exposed, contested = svcs[:3], svcs[3:4], svcs[3:4]
		case 1:
			deleted, exposed = svcs[:4], nil // the Gateway's last routes at once
		}
		var cmds [][]string
		for _, s := range deleted {
			cmds = append(cmds, []string{"expose-gw", "-n", ns, "delete", s})
		}
		for _, s := range exposed {
			cmds = append(cmds, expose(s))
		}
		for _, s := range contested {
			cmds = append(cmds, []string{"expose-gw", "-n", ns, "delete", s})
		}
		for i, r := range env.Race(cmds) {
			require.Equal(t, 0, r.ExitCode, "%s: kubectl %s: %s", at, strings.Join(cmds[i], " "), r.Stderr)
		}

		routes, err = gw.HTTPRoutes(ns).List(env.Ctx(), metav1.ListOptions{})
		require.NoError(t, err)
		var kept []string
		for _, s := range svcs {
			if slices.Contains(deleted, s) || !slices.Contains(svcs[:4], s) && !slices.Contains(exposed, s) {
				continue
			}
			if !slices.Contains(contested, s) || slices.ContainsFunc(routes.Items, func(r gatewayv1.HTTPRoute) bool { return r.Labels[gwapi.ServiceLabel] == s }) {
				kept = append(kept, s)
			}
		}
		// A contested route may be deleted and written anew: new objects.
		for _, s := range contested {
			delete(before, s+"-"+host(s))
			delete(before, "gateway")
		}
		var routed []string
		for _, r := range routes.Items {
			require.NotContains(t, deleted, r.Labels[gwapi.ServiceLabel], "%s: httproute %s of a deleted Service is left", at, r.Name)
			if uid, ok := before[r.Name]; ok {
				require.Equal(t, uid, string(r.UID), "%s: httproute %s was created again", at, r.Name)
			}
			routed = append(routed, r.Labels[gwapi.ServiceLabel])
		}
		require.ElementsMatch(t, kept, routed, at)
		gws, err := gw.Gateways(ns).List(env.Ctx(), metav1.ListOptions{})
		require.NoError(t, err)
		if len(kept) == 0 {
			require.Empty(t, gws.Items, "%s: no route is attached to the Gateway, it must be gone", at)
		} else {
			require.Len(t, gws.Items, 1, at)
			if uid, ok := before["gateway"]; ok {
				require.Equal(t, uid, string(gws.Items[0].UID), "%s: the Gateway was created again", at)
			}
			addr := env.PortForward(ns, env.GatewayPod(ns, "expose-gw"), 80)
			for _, s := range kept {
				status, seen, body := get(t, addr, host(s), "/probe")
				require.Equal(t, 200, status, "%s: GET %s/probe: %s", at, host(s), body)
				require.Equal(t, s+"."+ns+".svc.cluster.local", seen.Service(), "%s: GET %s/probe", at, host(s))
			}
		}
		for _, s := range kept {
			r := env.Kubectl("expose-gw", "-n", ns, "delete", s)
			require.Equal(t, 0, r.ExitCode, "%s: %s", at, r.Stderr)
		}
		gws, err = gw.Gateways(ns).List(env.Ctx(), metav1.ListOptions{})
		require.NoError(t, err)
		require.Empty(t, gws.Items, "%s: the namespace is left as it was", at)
	}
	t.Logf("%d rounds of concurrent deletes and exposes on one Gateway", rounds)
}
