package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// plugin is the part of Krew's v1alpha2 Plugin the tests read.
type plugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string `json:"version"`
		Homepage         string `json:"homepage"`
		ShortDescription string `json:"shortDescription"`
		Description      string `json:"description"`
		Caveats          string `json:"caveats"`
		Platforms        []struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			URI    string `json:"uri"`
			SHA256 string `json:"sha256"`
			Files  []struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"files"`
			Bin string `json:"bin"`
		} `json:"platforms"`
	} `json:"spec"`
}

// platforms are the six of the release, in the manifest's order.
var platforms = []struct{ os, arch, archive, bin, completion string }{
	{"linux", "amd64", "kubectl-expose_gw_linux_amd64.tar.gz", "kubectl-expose_gw", "kubectl_complete-expose_gw"},
	{"linux", "arm64", "kubectl-expose_gw_linux_arm64.tar.gz", "kubectl-expose_gw", "kubectl_complete-expose_gw"},
	{"darwin", "amd64", "kubectl-expose_gw_darwin_amd64.tar.gz", "kubectl-expose_gw", "kubectl_complete-expose_gw"},
	{"darwin", "arm64", "kubectl-expose_gw_darwin_arm64.tar.gz", "kubectl-expose_gw", "kubectl_complete-expose_gw"},
	{"windows", "amd64", "kubectl-expose_gw_windows_amd64.zip", "kubectl-expose_gw.exe", "kubectl_complete-expose_gw.cmd"},
	{"windows", "arm64", "kubectl-expose_gw_windows_arm64.zip", "kubectl-expose_gw.exe", "kubectl_complete-expose_gw.cmd"},
}

// writeChecksums writes a checksums.txt of the six archives, the sum of
// the i-th made of the letter 'a'+i.
func writeChecksums(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for i, p := range platforms {
		fmt.Fprintf(&b, "%s  %s\n", hexOf(byte('a'+i)), p.archive)
	}
	path := filepath.Join(dir, "checksums.txt")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

// TestManifest renders krew/expose-gw.yaml as make dist does and checks
// what Krew, krew-index and the tests of the release rely on.
func TestManifest(t *testing.T) {
	dir := t.TempDir()
	o := Options{Template: "../expose-gw.yaml", Version: "v1.2.3", ReleaseURL: "http://127.0.0.1:9/r/v1.2.3/",
		Checksums: writeChecksums(t, dir), Out: filepath.Join(dir, "expose-gw.yaml")}
	require.NoError(t, o.Validate())
	var out strings.Builder
	require.NoError(t, o.Run(&out))
	assert.Equal(t, o.Out+": v1.2.3 for 6 platforms from http://127.0.0.1:9/r/v1.2.3/\n", out.String())
	data, err := os.ReadFile(o.Out)
	require.NoError(t, err)
	var p plugin
	require.NoError(t, yaml.UnmarshalStrict(data, &p))

	assert.True(t, strings.HasPrefix(string(data), "apiVersion: "), "the template's comment is not rendered")
	assert.Equal(t, "krew.googlecontainertools.github.com/v1alpha2", p.APIVersion)
	assert.Equal(t, "Plugin", p.Kind)
	assert.Equal(t, "expose-gw", p.Metadata.Name)
	assert.Equal(t, "v1.2.3", p.Spec.Version)
	assert.Equal(t, "https://github.com/expose-gw/kubectl-expose-gw", p.Spec.Homepage)
	assert.LessOrEqual(t, len(p.Spec.ShortDescription), 50, "krew-index wants a shortDescription of 50 characters at most")
	assert.NotContains(t, p.Spec.ShortDescription, "\n")
	for _, line := range strings.Split(p.Spec.Description, "\n") {
		assert.LessOrEqual(t, len(line), 80, "description line %q: wrap at 80 columns", line)
		assert.NotContains(t, line, "kubectl expose-gw", "no command lists in the description (krew-index asks for prose)")
	}
	assert.Contains(t, p.Spec.Description, "Gateway API")
	assert.Contains(t, p.Spec.Caveats, "Istio with an ingress gateway")
	assert.Contains(t, p.Spec.Caveats, "Gateway API")
	assert.Contains(t, p.Spec.Caveats, "\n  "+`cp "${KREW_ROOT:-$HOME/.krew}/store/expose-gw/v1.2.3/kubectl_complete-expose_gw" "${KREW_ROOT:-$HOME/.krew}/bin/"`+"\n")
	assert.Contains(t, p.Spec.Caveats, `%USERPROFILE%\.krew\store\expose-gw\v1.2.3\`)

	require.Len(t, p.Spec.Platforms, len(platforms))
	for i, want := range platforms {
		got := p.Spec.Platforms[i]
		assert.Equal(t, map[string]string{"os": want.os, "arch": want.arch}, got.Selector.MatchLabels)
		assert.Equal(t, "http://127.0.0.1:9/r/v1.2.3/"+want.archive, got.URI)
		assert.Equal(t, hexOf(byte('a'+i)), got.SHA256)
		assert.Equal(t, want.bin, got.Bin)
		var from []string
		for _, f := range got.Files {
			from = append(from, f.From)
			assert.Equal(t, ".", f.To)
		}
		assert.Equal(t, []string{want.bin, want.completion, "LICENSE", "README.md"}, from)
	}
}
