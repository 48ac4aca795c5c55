package expose

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// kubeList is the part of a v1 List the tests read.
type kubeList struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Items      []struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Status any `json:"status"` // a row's is a string, an object's an object
	} `json:"items"`
}

// oneJSON decodes out as exactly one JSON value.
func oneJSON(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	require.NoError(t, dec.Decode(v), out)
	assert.False(t, dec.More(), "more than one JSON value:\n%s", out)
}

func kinds(l kubeList) []string {
	var out []string
	for _, it := range l.Items {
		out = append(out, it.APIVersion+" "+it.Kind)
	}
	return out
}

// TestOutput: objects print as kubectl prints several, one v1 List, in
// every command and format; a mistyped subcommand gets a did-you-mean.
func TestOutput(t *testing.T) {
	w := start(t)
	w.app("out", "flaskapp")
	wantKinds := []string{"networking.istio.io/v1 Gateway", "networking.istio.io/v1 VirtualService"}

	t.Run("expose --dry-run=client -o json is one List", func(t *testing.T) {
		before := w.snapshot(t, "out")
		r := w.Kubectl("expose-gw", "-n", "out", "flaskapp", "--prefix", "/p", "--dry-run=client", "-o", "json")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		var l kubeList
		oneJSON(t, r.Stdout, &l)
		assert.Equal(t, "v1", l.APIVersion)
		assert.Equal(t, "List", l.Kind)
		assert.Equal(t, wantKinds, kinds(l))
		assert.Equal(t, before, w.snapshot(t, "out"))
	})

	t.Run("expose --dry-run=client -o yaml is one document", func(t *testing.T) {
		r := w.Kubectl("expose-gw", "-n", "out", "flaskapp", "--prefix", "/p", "--dry-run=client", "-o", "yaml")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.NotContains(t, r.Stdout, "---")
		var l kubeList
		require.NoError(t, yaml.Unmarshal([]byte(r.Stdout), &l))
		assert.Equal(t, "List", l.Kind)
		assert.Equal(t, wantKinds, kinds(l))
	})

	t.Run("-o name is a line per object", func(t *testing.T) {
		r := w.Kubectl("expose-gw", "-n", "out", "flaskapp", "--prefix", "/p", "--dry-run=client", "-o", "name")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, "gateway.networking.istio.io/expose-gw\nvirtualservice.networking.istio.io/expose-gw-any\n", r.Stdout)
	})

	t.Run("expose -o json writes and prints one List", func(t *testing.T) {
		r := w.Kubectl("expose-gw", "-n", "out", "flaskapp", "--prefix", "/p", "-o", "json")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		var l kubeList
		oneJSON(t, r.Stdout, &l)
		assert.Equal(t, wantKinds, kinds(l))
		assert.NotContains(t, r.Stdout, "managedFields")
		assert.Len(t, w.snapshot(t, "out"), 2)
	})

	t.Run("list -o json and -o yaml are one List of the rows", func(t *testing.T) {
		r := w.Kubectl("expose-gw", "-n", "out", "list", "-o", "json")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		var l kubeList
		oneJSON(t, r.Stdout, &l)
		assert.Equal(t, "v1 List", l.APIVersion+" "+l.Kind)
		assert.Equal(t, []string{"expose-gw.kubectl.io/v1 Route"}, kinds(l))
		assert.Equal(t, "ok", l.Items[0].Status)

		r = w.Kubectl("expose-gw", "-n", "out", "list", "-o", "yaml")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.NotContains(t, r.Stdout, "---")
		var y kubeList
		require.NoError(t, yaml.Unmarshal([]byte(r.Stdout), &y))
		assert.Equal(t, l, y)
	})

	t.Run("url -o json is one JSON document", func(t *testing.T) {
		r := w.Kubectl("expose-gw", "-n", "out", "url", "flaskapp", "-o", "json")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		var rep map[string]any
		oneJSON(t, r.Stdout, &rep)
		assert.Equal(t, "out/flaskapp", rep["service"])
	})

	t.Run("a mistyped subcommand is a missing Service with a did-you-mean", func(t *testing.T) {
		before := w.snapshot(t, "out")
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"lsit"}, `service "lsit" not found in namespace "out": expected an existing Service (see kubectl get services -n out); did you mean lint or list?`}, // lint is a subcommand too
			{[]string{"delte", "flaskapp"}, `unknown command "delte": did you mean delete?`},
			{[]string{"flaskap", "flaskapp"}, `unexpected argument "flaskapp": expected one SERVICE`},
			{[]string{"prxy"}, `service "prxy" not found in namespace "out": expected an existing Service (see kubectl get services -n out); did you mean proxy?`},
			{[]string{"svc/lsit"}, `service "lsit" not found in namespace "out": expected an existing Service (see kubectl get services -n out)`},
			{[]string{"url", "lsit"}, `service "lsit" not found in namespace "out": expected an existing Service (see kubectl get services -n out)`},
			{[]string{"proxy", "lsit"}, `service "lsit" not found in namespace "out": expected an existing Service (see kubectl get services -n out)`},
		} {
			r := w.Kubectl(append([]string{"expose-gw", "-n", "out"}, c.args...)...)
			assert.Equal(t, 1, r.ExitCode, c.args)
			if c.want != "" {
				assert.Equal(t, "error: "+c.want+"\n", r.Stderr, c.args)
			}
			assert.Empty(t, r.Stdout, c.args)
		}
		assert.Equal(t, before, w.snapshot(t, "out"))
	})

	t.Run("a missing namespace is said so, by every command", func(t *testing.T) {
		for _, args := range [][]string{{"flaskapp"}, {"url", "flaskapp"}, {"proxy", "flaskapp"}} {
			r := w.Kubectl(append([]string{"expose-gw", "-n", "nons"}, args...)...)
			assert.Equal(t, 1, r.ExitCode, args)
			assert.Equal(t, `error: namespace "nons" not found: expected an existing namespace (see kubectl get namespaces), given by -n or the kubeconfig's context`+"\n", r.Stderr, args)
		}
	})
}
