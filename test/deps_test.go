package test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestBinaryDependencies keeps the plugin lean: its binary must not link the
// testing package, k8s.io/kubectl, istio.io/istio or chromedp (the browser
// test's).
func TestBinaryDependencies(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./cmd/kubectl-expose_gw")
	cmd.Dir = testenv.RepoRoot()
	out, err := cmd.Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Greater(t, len(deps), 100, "go list -deps printed too little: %q", out)
	for _, d := range deps {
		switch {
		case d == "testing", strings.HasPrefix(d, "testing/"),
			d == "k8s.io/kubectl", strings.HasPrefix(d, "k8s.io/kubectl/"),
			d == "istio.io/istio", strings.HasPrefix(d, "istio.io/istio/"),
			strings.Contains(d, "/fake"), strings.HasPrefix(d, "sigs.k8s.io/controller-runtime"),
			strings.HasPrefix(d, "github.com/chromedp/"):
			t.Errorf("the plugin binary depends on %s", d)
		}
	}
}
