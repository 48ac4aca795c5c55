package expose

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
)

// raceRounds is how many rounds TestConcurrentDeletesAndExposes plays
// (override with EXPOSE_GW_RACE_ROUNDS).
const raceRounds = 4

// TestConcurrentDeletesAndExposes races, on the tool's one Gateway of a
// namespace, deletes of different Services against each other (one round
// in three, all of the Gateway's routes at once) and against exposes of
// new hosts (one in three, also a delete and an expose of the same
// Service, where either may win), all through the real kubectl, and
// checks after each
// round: every command exited 0; each deleted Service has no route left
// and its VirtualService is not created again; every route not deleted
// gets its request from Istio's control plane; the Gateway serves exactly
// the hosts bound to it and is gone when nothing is; nothing that
// survives was created again (same uid).
func TestConcurrentDeletesAndExposes(t *testing.T) {
	rounds := raceRounds
	if n, err := strconv.Atoi(os.Getenv("EXPOSE_GW_RACE_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	w := start(t)
	const ns = "race"
	var svcs []string
	for i := range 6 {
		svcs = append(svcs, fmt.Sprintf("svc%d", i))
		w.app(ns, svcs[i])
	}
	host := func(svc string) string { return svc + ".race.example.com" }
	for round := range rounds {
		at := fmt.Sprintf("round %d", round)
		for _, s := range svcs[:4] {
			r := w.Kubectl("expose-gw", "-n", ns, s, "--host", host(s), "--prefix", "/")
			require.Equal(t, 0, r.ExitCode, "%s: %s", at, r.Stderr)
		}
		before := uids(t, w, ns)
		deleted, exposed := svcs[:3], svcs[4:]
		var contested []string // deleted and exposed again at once: either may win
		switch round % 3 {
		case 2:
			deleted, exposed, contested = svcs[:3], svcs[3:4], svcs[3:4]
		case 1:
			deleted, exposed = svcs[:4], nil // every route of the Gateway at once
		}
		var cmds [][]string
		for _, s := range deleted {
			cmds = append(cmds, []string{"expose-gw", "-n", ns, "delete", s})
		}
		for _, s := range exposed {
			cmds = append(cmds, []string{"expose-gw", "-n", ns, s, "--host", host(s), "--prefix", "/"})
		}
		for _, s := range contested {
			cmds = append(cmds, []string{"expose-gw", "-n", ns, "delete", s})
		}
		for i, r := range w.Race(cmds) {
			require.Equal(t, 0, r.ExitCode, "%s: kubectl %s: %s", at, strings.Join(cmds[i], " "), r.Stderr)
		}

		vss, err := w.Istio.NetworkingV1().VirtualServices(ns).List(w.Ctx(), metav1.ListOptions{})
		require.NoError(t, err)
		routed := func(svc string) bool {
			return slices.ContainsFunc(vss.Items, func(vs *networkingv1.VirtualService) bool {
				return slices.ContainsFunc(vs.Spec.Http, func(r *apinet.HTTPRoute) bool { return istio.SendsTo(r, svc+"."+ns+".svc.cluster.local") })
			})
		}
		var kept []string
		for _, s := range svcs {
			if !slices.Contains(deleted, s) && (slices.Contains(svcs[:4], s) || slices.Contains(exposed, s)) && (!slices.Contains(contested, s) || routed(s)) {
				kept = append(kept, s)
			}
		}
		// A contested route may be deleted and written anew: new objects.
		for _, s := range contested {
			delete(before, "virtualservice/expose-gw-"+host(s))
			delete(before, "gateway/expose-gw")
		}
		bound := map[string]bool{}
		for _, vs := range vss.Items {
			for _, r := range vs.Spec.Http {
				require.False(t, slices.ContainsFunc(deleted, func(s string) bool { return istio.SendsTo(r, s+"."+ns+".svc.cluster.local") }),
					"%s: virtualservice %s still routes to a deleted Service: %v", at, vs.Name, routes(vs))
			}
			if uid, ok := before["virtualservice/"+vs.Name]; ok {
				require.Equal(t, uid, string(vs.UID), "%s: virtualservice %s was created again", at, vs.Name)
			}
			for _, h := range vs.Spec.Hosts {
				bound[h] = true
			}
		}
		for _, s := range kept {
			status, seen := sendRaw(t, w, 8080, host(s), "/probe")
			require.Equal(t, 200, status, "%s: GET %s/probe", at, host(s))
			require.Equal(t, s+"."+ns+".svc.cluster.local", seen.Service(), "%s: GET %s/probe", at, host(s))
		}
		gws, err := w.Istio.NetworkingV1().Gateways(ns).List(w.Ctx(), metav1.ListOptions{})
		require.NoError(t, err)
		if len(kept) == 0 {
			require.Empty(t, gws.Items, "%s: nothing is bound to the Gateway, it must be gone", at)
			require.Empty(t, vss.Items, at)
		} else {
			require.Len(t, gws.Items, 1, at)
			g := gws.Items[0]
			if uid, ok := before["gateway/"+g.Name]; ok {
				require.Equal(t, uid, string(g.UID), "%s: the Gateway was created again", at)
			}
			served := map[string]bool{}
			for _, srv := range g.Spec.Servers {
				for _, h := range srv.Hosts {
					served[h[strings.Index(h, "/")+1:]] = true // "ns/host" or "host"
				}
			}
			require.Equal(t, bound, served, "%s: the Gateway serves exactly the hosts bound to it", at)
		}
		for _, s := range kept {
			r := w.Kubectl("expose-gw", "-n", ns, "delete", s)
			require.Equal(t, 0, r.ExitCode, "%s: %s", at, r.Stderr)
		}
		require.Empty(t, w.snapshot(t, ns), "%s: the namespace is left as it was", at)
	}
	t.Logf("%d rounds of concurrent deletes and exposes on one Gateway", rounds)
}

// uids are the uid of each Gateway and VirtualService of ns, by
// "kind/name"; a new object has none ("").
func uids(t *testing.T, w *world, ns string) map[string]string {
	t.Helper()
	out := map[string]string{}
	gws, err := w.Istio.NetworkingV1().Gateways(ns).List(w.Ctx(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, g := range gws.Items {
		out["gateway/"+g.Name] = string(g.UID)
	}
	vss, err := w.Istio.NetworkingV1().VirtualServices(ns).List(w.Ctx(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, v := range vss.Items {
		out["virtualservice/"+v.Name] = string(v.UID)
	}
	return out
}
