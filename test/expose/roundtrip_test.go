package expose

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"

	"github.com/expose-gw/kubectl-expose-gw/plugin/expose"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// counter records every request that goes through it.
type counter struct {
	rt   http.RoundTripper
	mu   sync.Mutex
	reqs []string
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	s := r.Method + " " + r.URL.Path
	if strings.Contains(r.URL.RawQuery, "dryRun") {
		s += " (dry run)"
	}
	c.reqs = append(c.reqs, s)
	c.mu.Unlock()
	return c.rt.RoundTrip(r)
}

func (c *counter) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.reqs
	c.reqs = nil
	return out
}

// own are the requests of the expose itself (the Service, Gateways and
// VirtualServices); the rest are the ingress gateway look-ups of package
// resolve (ports, and where it can be reached).
func own(reqs []string) (mine, ingress []string) {
	for _, r := range reqs {
		if strings.Contains(r, "networking.istio.io") || strings.Contains(r, "/namespaces/rt-") && strings.Contains(r, "/services/") {
			mine = append(mine, r)
		} else {
			ingress = append(ingress, r)
		}
	}
	return mine, ingress
}

// TestRoundTrips counts the API requests of an expose through a counting
// RoundTripper, in an empty namespace and in one crowded with Services,
// Gateways and a VirtualService of 1,000 routes: the counts must be equal.
func TestRoundTrips(t *testing.T) {
	w := start(t)
	ctx := w.Ctx()
	c := &counter{}
	cfg := rest.CopyConfig(w.Config)
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { c.rt = rt; return c })
	cfg.QPS, cfg.Burst = -1, 0
	cs, err := kube.NewForConfig(cfg)
	require.NoError(t, err)
	clients := &kube.Clients{Config: cfg, Kube: cs.Kube, Istio: cs.Istio, Gateway: cs.Gateway}

	expose := func(t *testing.T, ns, svc, prefix string) []string {
		var out, errb bytes.Buffer
		o := expose.NewExposeOptions(nil, genericiooptions.IOStreams{Out: &out, ErrOut: &errb})
		o.Clients, o.Namespace, o.Service = clients, ns, svc
		// A host per namespace: one host in two namespaces is one virtual
		// host in Istio, which expose refuses to shadow.
		o.Prefixes, o.Hosts = []string{prefix}, []string{ns + ".example.com"}
		require.NoError(t, o.Validate())
		c.take()
		require.NoError(t, o.Run(ctx), errb.String())
		return c.take()
	}

	// Crowd rt-big: 100 Services, 30 Gateways, 30 VirtualServices, one of 1,000 routes.
	for _, ns := range []string{"rt-small", "rt-big"} {
		w.app(ns, "flaskapp")
		w.app(ns, "webapp")
	}
	for i := range 100 {
		w.app("rt-big", fmt.Sprintf("filler-%03d", i))
	}
	for i := range 30 {
		_, err := w.Istio.NetworkingV1().Gateways("rt-big").Create(ctx, userGateway("rt-big", fmt.Sprintf("gw-%02d", i), fmt.Sprintf("h%02d.example.com", i)), metav1.CreateOptions{})
		require.NoError(t, err)
		vs := userVS("rt-big", fmt.Sprintf("vs-%02d", i), fmt.Sprintf("h%02d.example.com", i), fmt.Sprintf("gw-%02d", i), "/")
		if i == 0 {
			for j := 1; j < 1000; j++ {
				vs.Spec.Http = append(vs.Spec.Http, &apinet.HTTPRoute{Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{
					MatchType: &apinet.StringMatch_Prefix{Prefix: fmt.Sprintf("/r%04d", j)}}}}, Route: vs.Spec.Http[0].Route})
			}
		}
		_, err = w.Istio.NetworkingV1().VirtualServices("rt-big").Create(ctx, vs, metav1.CreateOptions{})
		require.NoError(t, err)
	}

	steps := []struct {
		name, svc, prefix string
		wantOwn           int
	}{
		// GET service, LIST gateways, LIST virtualservices, dry-run POST
		// virtualservice, POST gateway, POST virtualservice; then the
		// mend round's read (LIST gateways, LIST virtualservices), which
		// finds it all in place.
		{"first expose on a host", "flaskapp", "/env", 8},
		// GET service, LIST gateways, LIST virtualservices: no write, no
		// mend round.
		{"re-run", "flaskapp", "/env", 3},
		// GET service, LIST gateways, LIST virtualservices, PUT
		// virtualservice; the mend round's two LISTs.
		{"second service on the host", "webapp", "/", 6},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			small := expose(t, "rt-small", s.svc, s.prefix)
			big := expose(t, "rt-big", s.svc, s.prefix)
			t.Logf("%d requests:\n  %s", len(small), strings.Join(small, "\n  "))
			assert.Equal(t, len(small), len(big), "the count must not depend on what the namespace holds:\n%v\n%v", small, big)
			mine, ingress := own(small)
			assert.Len(t, mine, s.wantOwn, mine)
			assert.LessOrEqual(t, len(ingress), 3, "ingress gateway look-ups: %v", ingress)
		})
	}
	_ = testenv.IstioNamespace
}
