package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestBinaryDependencies keeps the plugin lean: its binary must not link the
// testing package, k8s.io/kubectl, istio.io/istio or chromedp (the browser
// test's), nor what links every API group of Kubernetes (client-go's
// generated clientset and its scheme, the discovery client, cli-runtime's
// genericclioptions and resource builder, kustomize) or every version of
// Istio's and the Gateway API's (their generated clientsets): plugin/kube
// has the clients of the kinds the tool uses.
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
			strings.HasPrefix(d, "github.com/chromedp/"),
			strings.HasPrefix(d, "k8s.io/client-go/kubernetes"), strings.HasPrefix(d, "k8s.io/client-go/discovery"),
			strings.HasPrefix(d, "k8s.io/cli-runtime/pkg/genericclioptions"), strings.HasPrefix(d, "k8s.io/cli-runtime/pkg/resource"),
			strings.HasPrefix(d, "sigs.k8s.io/kustomize/"), strings.HasPrefix(d, "istio.io/client-go/pkg/clientset/"),
			strings.HasPrefix(d, "sigs.k8s.io/gateway-api/pkg/client/"), strings.HasSuffix(d, "/plugin/kube/kubelib"):
			t.Errorf("the plugin binary depends on %s", d)
		}
	}
}

// maxBinarySize is the most the stripped linux/amd64 binary may weigh, with
// both Istio APIs (issue 14: "at most 40 MB").
const maxBinarySize = 40_000_000

// TestBinarySize builds the binary as a release does (stripped,
// linux/amd64) and weighs it.
func TestBinarySize(t *testing.T) {
	out := filepath.Join(t.TempDir(), "kubectl-expose_gw")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, "./cmd/kubectl-expose_gw")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	fi, err := os.Stat(out)
	require.NoError(t, err)
	t.Logf("stripped linux/amd64 binary: %d bytes (%.2f MB)", fi.Size(), float64(fi.Size())/1e6)
	require.LessOrEqual(t, fi.Size(), int64(maxBinarySize), "the binary grew past %d bytes", maxBinarySize)
}
