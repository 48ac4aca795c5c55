// Package expose tests `kubectl expose-gw SERVICE`, `list` and `delete`
// end to end: the real kubectl runs the plugin built from this checkout
// against a real kube-apiserver with the Istio CRDs.
package expose

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// world is one control plane shared by the subtests of a test; each
// subtest works in its own namespace.
type world struct {
	*testenv.Env
	t *testing.T
}

func start(t *testing.T) *world {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{})
	return &world{Env: env, t: t}
}

// app creates namespace ns with an app Service (http 80->5000).
func (w *world) app(ns, name string) {
	w.t.Helper()
	w.CreateApp(testenv.App{Name: name, Namespace: ns})
}

// snapshot is every Gateway and VirtualService of ns with its
// resourceVersion: equal snapshots mean nothing was written.
func (w *world) snapshot(t *testing.T, ns string) []string {
	t.Helper()
	var out []string
	gws, err := w.Istio.NetworkingV1().Gateways(ns).List(w.Ctx(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, g := range gws.Items {
		out = append(out, "gateway/"+g.Name+"@"+g.ResourceVersion)
	}
	vss, err := w.Istio.NetworkingV1().VirtualServices(ns).List(w.Ctx(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, v := range vss.Items {
		out = append(out, "virtualservice/"+v.Name+"@"+v.ResourceVersion)
	}
	sort.Strings(out)
	return out
}

func (w *world) vs(t *testing.T, ns, name string) *networkingv1.VirtualService {
	t.Helper()
	vs, err := w.Istio.NetworkingV1().VirtualServices(ns).Get(w.Ctx(), name, metav1.GetOptions{})
	require.NoError(t, err)
	return vs
}

func (w *world) gw(t *testing.T, ns, name string) *networkingv1.Gateway {
	t.Helper()
	g, err := w.Istio.NetworkingV1().Gateways(ns).Get(w.Ctx(), name, metav1.GetOptions{})
	require.NoError(t, err)
	return g
}

// routes is "name match" of each route of vs, in order, as list shows
// the match.
func routes(vs *networkingv1.VirtualService) []string {
	var out []string
	for _, r := range vs.Spec.Http {
		out = append(out, r.Name+" "+rules.DescribeMatch(r))
	}
	return out
}

// lines splits output into trimmed non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func metavOpts() metav1.ListOptions { return metav1.ListOptions{} }
