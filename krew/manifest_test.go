package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/yaml"
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

func released() []Released {
	var out []Released
	for i, p := range DefaultPlatforms {
		files := []string{p.Binary(), completionFile(p).Name, "LICENSE", "README.md"}
		out = append(out, Released{Platform: p, URI: "http://127.0.0.1:9/r/" + p.Archive(),
			SHA256: strings.Repeat(string(rune('a'+i)), 64), Files: files})
	}
	return out
}

func TestRenderManifest(t *testing.T) {
	data, err := RenderManifest("v1.2.3", released())
	require.NoError(t, err)
	var p plugin
	require.NoError(t, yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096).Decode(&p))

	assert.Equal(t, "krew.googlecontainertools.github.com/v1alpha2", p.APIVersion)
	assert.Equal(t, "Plugin", p.Kind)
	assert.Equal(t, "expose-gw", p.Metadata.Name)
	assert.Equal(t, ManifestName, p.Metadata.Name+".yaml", "krew wants the file named after the plugin")
	assert.Equal(t, "v1.2.3", p.Spec.Version)
	assert.Equal(t, Homepage, p.Spec.Homepage)
	assert.NotContains(t, p.Spec.ShortDescription, "\n")
	assert.Contains(t, p.Spec.ShortDescription, "Istio ingress gateway")
	assert.Contains(t, p.Spec.Description, "Gateway and VirtualService")
	assert.Contains(t, p.Spec.Caveats, "Istio with an ingress gateway")
	assert.Contains(t, p.Spec.Caveats, `cp "${KREW_ROOT:-$HOME/.krew}/store/expose-gw/v1.2.3/kubectl_complete-expose_gw" "${KREW_ROOT:-$HOME/.krew}/bin/"`)

	require.Len(t, p.Spec.Platforms, 6)
	for i, got := range p.Spec.Platforms {
		want := released()[i]
		assert.Equal(t, map[string]string{"os": want.OS, "arch": want.Arch}, got.Selector.MatchLabels)
		assert.Equal(t, want.URI, got.URI)
		assert.Equal(t, want.SHA256, got.SHA256)
		assert.Equal(t, want.Binary(), got.Bin)
		var from []string
		for _, f := range got.Files {
			from = append(from, f.From)
			assert.Equal(t, ".", f.To)
		}
		assert.Equal(t, want.Files, from)
	}
	assert.Equal(t, "kubectl-expose_gw.exe", p.Spec.Platforms[4].Bin)
}

func TestChecksums(t *testing.T) {
	got := string(Checksums(released()[:2]))
	assert.Equal(t, strings.Repeat("a", 64)+"  kubectl-expose_gw_linux_amd64.tar.gz\n"+
		strings.Repeat("b", 64)+"  kubectl-expose_gw_linux_arm64.tar.gz\n", got)
}
