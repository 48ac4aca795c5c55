package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestDemo runs `make demo`'s program as a user would, so the demo cannot
// rot: every step must pass and show the gateway receiving the request
// directly and through the port-forward.
func TestDemo(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "demo")
	build := exec.Command("go", "build", "-o", bin, "./test/demo")
	build.Dir = testenv.RepoRoot()
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	if _, err := testenv.PluginDir(); err != nil { // builds the plugin unless make test did
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin)
	cmd.Env = os.Environ()
	if d, _ := testenv.PluginDir(); os.Getenv("EXPOSE_GW_PLUGIN_DIR") == "" {
		cmd.Env = append(cmd.Env, "EXPOSE_GW_PLUGIN_DIR="+d)
	}
	b, err := cmd.CombinedOutput()
	got := string(b)
	t.Log(got)
	require.NoError(t, err, "the demo failed")
	for _, want := range []string{
		"$ kubectl expose-gw flaskapp --prefix /env",
		"virtualservice.networking.istio.io/",
		"$ kubectl expose-gw list",
		"$ kubectl expose-gw url -o env",
		"export INGRESS_PORT=",
		"received: GET /env/version with Host: 127.0.0.1:",
		"(via direct)",
		"(via port-forward)",
		"demo: all steps passed",
	} {
		assert.Contains(t, got, want)
	}
	assert.Equal(t, 2, strings.Count(got, "received: GET /env/version"))
}
