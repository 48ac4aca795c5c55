package krew_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
	"github.com/expose-gw/kubectl-expose-gw/test/krewspec"
)

// TestValidateKrewManifest runs krew's own validator on the generated
// manifest: it checks the manifest, then installs every platform (through
// KREW_OS/KREW_ARCH) by downloading each uri from the local server.
func TestValidateKrewManifest(t *testing.T) {
	dir := dist(t)
	tools := krewTools(t)
	env := []string{"PATH=" + searchPath(tools), "HOME=" + t.TempDir(), "KREW_NO_UPGRADE_CHECK=1"}
	r := runCmd(t, t.Context(), env, filepath.Join(tools, "validate-krew-manifest"),
		"-manifest", filepath.Join(dir, "expose-gw.yaml"))
	require.Equal(t, 0, r.ExitCode, "validate-krew-manifest refused the manifest")
	assert.Contains(t, r.Stderr, "structural validation OK")
	assert.Contains(t, r.Stderr, "all 6 spec.platforms installed fine")
	for _, p := range krewspec.Platforms {
		assert.Positive(t, servedCount(p.Archive), "%s was downloaded from the release URL", p.Archive)
	}
}

// TestKrewInstall installs the plugin with `kubectl krew install
// --manifest` into a scratch KREW_ROOT, downloading from the release URL,
// then runs it through the real kubectl.
func TestKrewInstall(t *testing.T) {
	dir := dist(t)
	tools := krewTools(t)
	krewRoot := t.TempDir()
	home := t.TempDir()
	krewBin := filepath.Join(krewRoot, "bin")
	env := []string{"PATH=" + searchPath(krewBin, tools), "HOME=" + home, "KREW_ROOT=" + krewRoot,
		"KREW_NO_UPGRADE_CHECK=1", "KUBECONFIG=" + filepath.Join(home, "no-kubeconfig")}
	kubectl := testenv.KubectlPath()
	ctx := t.Context()

	r := runCmd(t, ctx, env, kubectl, "krew", "install", "--manifest="+filepath.Join(dir, "expose-gw.yaml"))
	require.Equal(t, 0, r.ExitCode, "kubectl krew install failed")
	assert.Contains(t, r.Stdout+r.Stderr, "Installed plugin: expose-gw")
	assert.Contains(t, r.Stdout+r.Stderr, "Istio with an ingress gateway", "the caveats are shown")

	// krew's receipt of the install (`kubectl krew list` needs the index,
	// which only `kubectl krew update` fetches, from GitHub).
	receipt, err := os.ReadFile(filepath.Join(krewRoot, "receipts", "expose-gw.yaml"))
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^\s+version: `+regexp.QuoteMeta(Version)+`$`, string(receipt))

	t.Run("version through kubectl", func(t *testing.T) {
		r := runCmd(t, ctx, env, kubectl, "expose-gw", "version")
		require.Equal(t, 0, r.ExitCode)
		assert.Equal(t, Version+"\n", r.Stdout)

		r = runCmd(t, ctx, env, kubectl, "expose-gw", "version", "-o", "json")
		require.Equal(t, 0, r.ExitCode)
		var info struct{ Version, GitCommit, GoVersion, Platform string }
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &info))
		assert.Equal(t, Version, info.Version)
		assert.Equal(t, commit, info.GitCommit)
		assert.True(t, strings.HasPrefix(info.GoVersion, "go1."), "goVersion %q", info.GoVersion)
		assert.Equal(t, "linux/amd64", info.Platform)
	})

	t.Run("plugin list", func(t *testing.T) {
		r := runCmd(t, ctx, env, kubectl, "plugin", "list")
		require.Equal(t, 0, r.ExitCode)
		assert.Contains(t, strings.Fields(r.Stdout), filepath.Join(krewBin, "kubectl-expose_gw"))
		assert.NotContains(t, strings.ToLower(r.Stderr), "warning")
	})

	t.Run("help reads kubectl expose-gw", func(t *testing.T) {
		r := runCmd(t, ctx, env, kubectl, "expose-gw", "--help")
		require.Equal(t, 0, r.ExitCode)
		assert.Contains(t, r.Stdout, "Usage:\n  kubectl expose-gw ")
		assert.NotContains(t, r.Stdout, "kubectl-expose_gw")
		for _, sub := range subcommands(t, r.Stdout) {
			r := runCmd(t, ctx, env, kubectl, "expose-gw", sub, "--help")
			require.Equal(t, 0, r.ExitCode, "help of %s", sub)
			assert.Contains(t, r.Stdout, "Usage:\n  kubectl expose-gw "+sub, "usage of %s", sub)
			assert.NotContains(t, r.Stdout+r.Stderr, "kubectl-expose_gw", "help of %s", sub)
		}
		r = runCmd(t, ctx, env, kubectl, "expose-gw", "no-such-command", "--bad-flag")
		assert.NotEqual(t, 0, r.ExitCode)
		assert.NotContains(t, r.Stdout+r.Stderr, "kubectl-expose_gw")
	})

	t.Run("completion helper from the caveats", func(t *testing.T) {
		testCompletion(t, env, krewRoot, readManifest(t, filepath.Join(dir, "expose-gw.yaml")).Spec.Caveats)
	})
}

// subcommands are the names listed under "Available Commands:" in help.
func subcommands(t *testing.T, help string) []string {
	t.Helper()
	_, list, ok := strings.Cut(help, "Available Commands:\n")
	require.True(t, ok, "help lists the subcommands")
	list, _, _ = strings.Cut(list, "\n\n")
	var names []string
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] != "help" {
			names = append(names, f[0])
		}
	}
	require.NotEmpty(t, names)
	return names
}

// installCommand is the shell command the caveats give to put the
// completion helper on PATH.
func installCommand(t *testing.T, caveats string) string {
	t.Helper()
	for _, line := range strings.Split(caveats, "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "cp ") && strings.Contains(line, "kubectl_complete-expose_gw") {
			return line
		}
	}
	t.Fatalf("the caveats give no command to install the completion helper:\n%s", caveats)
	return ""
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().Perm()&0o111 != 0
}
