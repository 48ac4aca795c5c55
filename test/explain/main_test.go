// Package explain tests `kubectl expose-gw explain` end to end: the real
// kubectl runs the plugin against a real kube-apiserver, and its verdict
// on a request is compared with what Istio's control plane (the test
// gateway) does with the same request.
package explain

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// decision is what the test gateway reports Istio decided for a request
// (its X-Istiogw-Decision header).
type decision struct {
	Status   int    `json:"status"`
	Reason   string `json:"reason"`
	Location string `json:"location"`
	Cluster  string `json:"cluster"`
	Path     string `json:"path"`
	Route    string `json:"route"`
	Config   string `json:"config"`
}

// send sends method path to addr with host and headers, and returns the
// status and Istio's decision.
func send(t *testing.T, addr, method, host, path string, header http.Header) (int, decision) {
	t.Helper()
	c := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest(method, "http://"+addr+path, nil)
	require.NoError(t, err)
	req.Host = host
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.ReadAll(resp.Body)
	var d decision
	raw := resp.Header.Get("X-Istiogw-Decision")
	require.NotEmpty(t, raw, "the test gateway says nothing of %s %s%s (status %d)", method, host, path, resp.StatusCode)
	require.NoError(t, json.Unmarshal([]byte(raw), &d), raw)
	return resp.StatusCode, d
}

// explain runs `kubectl expose-gw explain URL -o json` with args and
// reads its object; the exit code says whether the URL is answered.
func explain(t *testing.T, env *testenv.Env, url string, args ...string) (route.Explanation, testenv.Result) {
	t.Helper()
	r := env.Kubectl(append([]string{"expose-gw", "explain", url, "-o", "json"}, args...)...)
	var e route.Explanation
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &e), "explain %s %s: exit %d\nstdout: %s\nstderr: %s", url, strings.Join(args, " "), r.ExitCode, r.Stdout, r.Stderr)
	want := 1
	if e.Answered() {
		want = 0
	}
	require.Equal(t, want, r.ExitCode, "explain %s: outcome %s, stderr %s", url, e.Outcome, r.Stderr)
	return e, r
}

// cluster is the Envoy cluster Istio names for a backend.
func cluster(b *route.ExplainBackend) string {
	return "outbound|" + itoa(int(b.Port)) + "||" + b.Host
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
