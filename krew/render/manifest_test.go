package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/expose-gw/kubectl-expose-gw/test/krewspec"
)

// writeChecksums writes a checksums.txt of the six archives, the sum of
// the i-th made of the letter 'a'+i.
func writeChecksums(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for i, p := range krewspec.Platforms {
		fmt.Fprintf(&b, "%s  %s\n", hexOf(byte('a'+i)), p.Archive)
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
	p, err := krewspec.Parse(data)
	require.NoError(t, err)

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

	require.Len(t, p.Spec.Platforms, len(krewspec.Platforms))
	for i, want := range krewspec.Platforms {
		got := p.Spec.Platforms[i]
		assert.Equal(t, map[string]string{"os": want.OS, "arch": want.Arch}, got.Selector.MatchLabels)
		assert.Equal(t, "http://127.0.0.1:9/r/v1.2.3/"+want.Archive, got.URI)
		assert.Equal(t, hexOf(byte('a'+i)), got.SHA256)
		assert.Equal(t, want.Bin, got.Bin)
		var from []string
		for _, f := range got.Files {
			from = append(from, f.From)
			assert.Equal(t, ".", f.To)
		}
		assert.Equal(t, []string{want.Bin, want.Completion, "LICENSE", "README.md"}, from)
	}
}
