package check

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// item is one URL of `url --check -o json` (the contract).
type item struct {
	URL        string         `json:"url"`
	Host       string         `json:"host"`
	Via        string         `json:"via"`
	Status     int            `json:"status"`
	AnsweredBy string         `json:"answeredBy"`
	Flag       string         `json:"flag"`
	MS         *int64         `json:"ms"`
	Service    string         `json:"service"`
	Reached    string         `json:"reached"`
	Explain    map[string]any `json:"explain"`
	OK         bool           `json:"ok"`
}

// checkJSON runs url --check -o json and returns its items and exit code.
func checkJSON(t *testing.T, env *testenv.Env, args ...string) ([]item, testenv.Result) {
	t.Helper()
	r := env.Kubectl(append([]string{"expose-gw", "url"}, append(args, "--check", "-o", "json")...)...)
	var l struct {
		Items []item `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &l), "stdout %q stderr %q", r.Stdout, r.Stderr)
	for _, it := range l.Items {
		require.NotNil(t, it.MS, "every item has its time")
	}
	return l.Items, r
}

// istioSays is what the test gateway (Istio) did with the same request:
// the status and decision header of a GET to addr.
func istioSays(t *testing.T, env *testenv.Env, host, path string) (int, string) {
	t.Helper()
	return sendTo(t, env.IstioGateway.PortAddr(testenv.IstioNamespace, 8080), host, path)
}

// sendTo sends GET path with host to the gateway at addr.
func sendTo(t *testing.T, addr, host, path string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 20 * time.Second}
	req, err := http.NewRequest("GET", "http://"+addr+path, nil)
	require.NoError(t, err)
	req.Host = host
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Istiogw-Decision")
}

func olderVS(ns, name, host, gw, prefix, dest string) *networkingv1.VirtualService {
	v := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
	v.Spec.Hosts, v.Spec.Gateways = []string{host}, []string{gw}
	v.Spec.Http = []*apinet.HTTPRoute{{
		Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: prefix}}}},
		Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: dest}}},
	}}
	return v
}
