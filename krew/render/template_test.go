package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRenderLikeTheBot renders krew-release-bot's own test templates as its
// test does (tag v0.0.2, the archive's body "my-plugin-binary") and expects
// its expected files byte for byte.
func TestRenderLikeTheBot(t *testing.T) {
	const base = "https://github.com/rajatjindal/kubectl-whoami/releases/download/v0.0.2"
	sum := sha256.Sum256([]byte("my-plugin-binary"))
	r := Release{Tag: "v0.0.2", TemplateBase: base, ReleaseURL: base,
		Sums: map[string]string{"kubectl-whoami_v0.0.2_darwin_amd64.tar.gz": hex.EncodeToString(sum[:])}}
	for _, name := range []string{"needs-6-space-indentation", "needs-4-space-indentation", "line-start-with-dash"} {
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("testdata", "bot", name+".yaml"))
			require.NoError(t, err)
			want, err := os.ReadFile(filepath.Join("testdata", "bot", name+"-expected.yaml"))
			require.NoError(t, err)
			got, err := Render(name+".yaml", text, r)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// TestRenderReleaseURL: the uri is the release URL's, the sum the
// checksums', whatever the template's GitHub URL says.
func TestRenderReleaseURL(t *testing.T) {
	r := Release{Tag: "v1.2.3", TemplateBase: GitHubReleases + "/v1.2.3", ReleaseURL: "http://127.0.0.1:9/r/v1.2.3",
		Sums: map[string]string{"a.zip": "sum-of-a"}}
	got, err := Render("t.yaml", []byte(`x: {{ addURIAndSha "`+GitHubReleases+`/{{ .TagName }}/a.zip" .TagName }}`), r)
	require.NoError(t, err)
	assert.Equal(t, "x: uri: http://127.0.0.1:9/r/v1.2.3/a.zip\n    sha256: sum-of-a", string(got))
}

func TestRenderErrors(t *testing.T) {
	r := Release{Tag: "v1.2.3", TemplateBase: GitHubReleases + "/v1.2.3", ReleaseURL: "http://127.0.0.1:9/r",
		Sums: map[string]string{"a.zip": "sum-of-a", "b.tar.gz": "sum-of-b"}}
	uri := func(archive string) string {
		return `{{ addURIAndSha "` + GitHubReleases + `/{{ .TagName }}/` + archive + `" .TagName }}`
	}
	for _, tc := range []struct{ name, text, wantErr string }{
		{"archive not in the checksums", uri("a.zip") + uri("b.tar.gz") + uri("c.zip"),
			`template: t.yaml:1:236: executing "t.yaml" at <addURIAndSha "https://github.com/expose-gw/kubectl-expose-gw/releases/download/{{ .TagName }}/c.zip" .TagName>: error calling addURIAndSha: archive "c.zip" is not in the checksums: expected one of a.zip, b.tar.gz`},
		{"archive of the checksums not in the template", uri("a.zip"),
			`archive "b.tar.gz" of the checksums is in no addURIAndSha of t.yaml: expected every archive released to be installable`},
		{"URL of another release", `{{ addURIAndSha "` + GitHubReleases + `/v9.9.9/a.zip" .TagName }}`,
			`template: t.yaml:1:3: executing "t.yaml" at <addURIAndSha "https://github.com/expose-gw/kubectl-expose-gw/releases/download/v9.9.9/a.zip" .TagName>: error calling addURIAndSha: invalid addURIAndSha URL "https://github.com/expose-gw/kubectl-expose-gw/releases/download/v9.9.9/a.zip": expected https://github.com/expose-gw/kubectl-expose-gw/releases/download/v1.2.3/<archive>`},
		{"a field the bot fills from CI", `{{ .PluginOwner }}`,
			`template: t.yaml:1:3: executing "t.yaml" at <.PluginOwner>: can't evaluate field PluginOwner in type main.Values`},
		{"bad template", `{{ .TagName `, `template: t.yaml:1: unclosed action`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render("t.yaml", []byte(tc.text), r)
			assert.EqualError(t, err, tc.wantErr)
		})
	}
}

// TestIndent is the bot's TestFixIndent.
func TestIndent(t *testing.T) {
	assert.Equal(t, "uri: some-secure-uri\n    sha256: some-sha256", indent(4, "uri: some-secure-uri\nsha256: some-sha256"))
	assert.Equal(t, "uri: some-secure-uri\n      sha256: some-sha256", indent(6, "uri: some-secure-uri\n    sha256: some-sha256"))
}

func TestParseChecksums(t *testing.T) {
	a, b := hexOf('a'), hexOf('b')
	got, err := ParseChecksums("c.txt", []byte(a+"  x.tar.gz\n"+b+" *y.zip\n"))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"x.tar.gz": a, "y.zip": b}, got)

	for _, tc := range []struct{ name, data, wantErr string }{
		{"one space", a + " x.tar.gz\n", `invalid line 1 of c.txt "` + a + ` x.tar.gz": expected ` + "`<sha256 in lowercase hex>  <file name>`" + ` as sha256sum prints`},
		{"short sum", "abc  x.tar.gz\n", `invalid line 1 of c.txt "abc  x.tar.gz": expected ` + "`<sha256 in lowercase hex>  <file name>`" + ` as sha256sum prints`},
		{"path", a + "  dist/x.tar.gz\n", `invalid line 1 of c.txt "` + a + `  dist/x.tar.gz": expected ` + "`<sha256 in lowercase hex>  <file name>`" + ` as sha256sum prints`},
		{"empty", "", `invalid line 1 of c.txt "": expected ` + "`<sha256 in lowercase hex>  <file name>`" + ` as sha256sum prints`},
		{"twice", a + "  x.zip\n" + b + "  x.zip\n", `invalid line 2 of c.txt "` + b + `  x.zip": x.zip is listed twice, expected once`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseChecksums("c.txt", []byte(tc.data))
			assert.EqualError(t, err, tc.wantErr)
		})
	}
}

func hexOf(c byte) string {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return string(b)
}
