package test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// The house of plugin/ (docs/layout.md): a package per command, the
// adapters of the two APIs, the seam between them, the neutral words.
const mod = "github.com/expose-gw/kubectl-expose-gw/"

var (
	commands = []string{"plugin/expose", "plugin/list", "plugin/delete", "plugin/url", "plugin/proxy", "plugin/explain", "plugin/lint"}
	adapters = []string{"plugin/istio", "plugin/gwapi"}
	// neutral are the shared layers both adapters build on: the words,
	// Istio's rules, Envoy's matching and the diagnosis's walk.
	neutral = []string{"plugin/route", "plugin/rules", "plugin/envoy", "plugin/diagnose"}
)

// TestPackageLayering holds the house rules with the packages' own
// imports (tests left out): only the root package imports a command; a
// command reaches the APIs through plugin/apis, never an adapter; the
// adapters import neither each other, nor plugin/apis, nor a command;
// the neutral layers (plugin/route, rules, envoy, diagnose) import no
// adapter, command or seam, and plugin/envoy nothing of the plugin.
func TestPackageLayering(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./plugin/...")
	cmd.Dir = testenv.RepoRoot()
	out, err := cmd.Output()
	require.NoError(t, err)
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := strings.TrimPrefix(f[0], mod)
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, mod) {
				imports[pkg] = append(imports[pkg], strings.TrimPrefix(imp, mod))
			}
		}
	}
	require.Contains(t, imports, "plugin/apis", "go list printed too little: %s", out)
	for _, c := range commands {
		require.Contains(t, imports, c, "command package %s is missing", c)
	}
	for pkg, imps := range imports {
		for _, imp := range imps {
			switch {
			case slices.Contains(commands, imp) && pkg != "plugin":
				t.Errorf("%s imports the command %s: only the root package (plugin) may", pkg, imp)
			case slices.Contains(commands, pkg) && slices.Contains(adapters, imp):
				t.Errorf("the command %s imports the adapter %s: commands reach the APIs through plugin/apis", pkg, imp)
			case slices.Contains(adapters, pkg) && (slices.Contains(adapters, imp) || imp == "plugin/apis" || slices.Contains(commands, imp)):
				t.Errorf("the adapter %s imports %s: an adapter imports only shared layers", pkg, imp)
			case slices.Contains(neutral, pkg) && (slices.Contains(adapters, imp) || imp == "plugin/apis" || slices.Contains(commands, imp)):
				t.Errorf("the neutral package %s imports %s", pkg, imp)
			case pkg == "plugin/envoy" && imp != "":
				t.Errorf("plugin/envoy (Envoy's matching, pure) imports %s", imp)
			}
		}
	}
}

// TestOneAPIPerFile: outside the adapters, no file of plugin/ imports
// both APIs' packages (Istio's and the Gateway API's): what differs
// between them lives in plugin/istio and plugin/gwapi.
func TestOneAPIPerFile(t *testing.T) {
	root := filepath.Join(testenv.RepoRoot(), "plugin")
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(testenv.RepoRoot(), path)
		if slices.ContainsFunc(adapters, func(a string) bool { return strings.HasPrefix(rel, a+"/") }) {
			return nil
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		var istio, gateway bool
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			istio = istio || strings.HasPrefix(p, "istio.io/")
			gateway = gateway || strings.HasPrefix(p, "sigs.k8s.io/gateway-api/")
		}
		if istio && gateway {
			t.Errorf("%s imports both the Istio API and the Gateway API: that belongs in an adapter (plugin/istio, plugin/gwapi)", rel)
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, files, 20, "too few files read under %s", root)
}
