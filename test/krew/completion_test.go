package krew_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// testCompletion runs the caveats' command to put the completion helper on
// PATH, then asks the real kubectl to complete `kubectl expose-gw ...` as a
// shell's <TAB> does (`kubectl __complete ...`), against a real apiserver.
func testCompletion(t *testing.T, env []string, krewRoot, caveats string) {
	helper := filepath.Join(krewRoot, "bin", "kubectl_complete-expose_gw")
	kubectl := testenv.KubectlPath()
	ctx := t.Context()

	// Without the helper, kubectl completes nothing for the plugin.
	r := runCmd(t, ctx, env, kubectl, "__complete", "expose-gw", "")
	require.Equal(t, 0, r.ExitCode)
	assert.NotContains(t, r.Stdout, "version")

	r = runCmd(t, ctx, env, "/bin/sh", "-c", installCommand(t, caveats))
	require.Equal(t, 0, r.ExitCode, "the caveats' install command failed")
	require.True(t, isExecutable(helper), "%s is an executable on PATH", helper)

	api := testenv.Start(t, testenv.Options{})
	api.CreateApp(testenv.App{Name: "flaskapp"})
	api.CreateApp(testenv.App{Name: "frontend"})
	api.CreateApp(testenv.App{Name: "cart", Namespace: "shop"})
	env = append(env[:len(env):len(env)], "KUBECONFIG="+api.Kubeconfig)

	complete := func(args ...string) []string {
		t.Helper()
		r := runCmd(t, ctx, env, kubectl, append([]string{"__complete", "expose-gw"}, args...)...)
		require.Equal(t, 0, r.ExitCode)
		var words []string
		for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
			word, _, _ := strings.Cut(line, "\t")
			words = append(words, word)
		}
		return words
	}
	t.Run("subcommands and services", func(t *testing.T) {
		got := complete("")
		for _, want := range []string{"version", "url", "proxy", "list", "delete", "flaskapp", "frontend", ":4"} {
			assert.Contains(t, got, want)
		}
		assert.NotContains(t, got, "cart", "a Service of another namespace")
	})
	t.Run("prefix", func(t *testing.T) {
		assert.Equal(t, []string{"flaskapp", "frontend", ":4"}, complete("f"))
		assert.Equal(t, []string{"version", ":4"}, complete("ve"))
	})
	t.Run("services of -n", func(t *testing.T) {
		got := complete("-n", "shop", "") // subcommands may still follow -n
		assert.Contains(t, got, "cart")
		assert.Contains(t, got, "url")
		assert.NotContains(t, got, "flaskapp", "a Service of the default namespace")
		assert.Equal(t, []string{"cart", ":4"}, complete("url", "--namespace=shop", ""))
	})
	t.Run("namespaces", func(t *testing.T) {
		got := complete("-n", "")
		for _, want := range []string{"default", "shop", "kube-system"} {
			assert.Contains(t, got, want)
		}
		assert.Equal(t, []string{"shop", ":4"}, complete("url", "-n", "sh"))
	})
	t.Run("flags", func(t *testing.T) {
		got := complete("url", "--names")
		assert.Contains(t, got, "--namespace")
	})
	t.Run("context", func(t *testing.T) {
		got := complete("--context", "")
		require.NotEmpty(t, got)
		assert.Equal(t, ":4", got[len(got)-1])
		assert.Greater(t, len(got), 1, "the kubeconfig's context is offered")
	})
	t.Run("subcommand service argument", func(t *testing.T) {
		assert.Equal(t, []string{"flaskapp", ":4"}, complete("proxy", "fl"))
		assert.Equal(t, []string{":4"}, complete("url", "flaskapp", ""), "only one SERVICE")
	})
}
