package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain runs main itself when the test binary is started as the
// command by TestCommand.
func TestMain(m *testing.M) {
	if os.Getenv("KREW_RENDER_RUN_MAIN") == "1" {
		os.Args = append(os.Args[:1], strings.Fields(os.Getenv("KREW_RENDER_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var position = regexp.MustCompile(`expose-gw\.yaml:\d+:\d+:`)

// TestCommand runs the command as make dist does: bad input is one line on
// stderr naming the value and what was expected, and exit code 1.
func TestCommand(t *testing.T) {
	dir := t.TempDir()
	sums := writeChecksums(t, dir)
	missing := filepath.Join(dir, "missing.txt")
	require.NoError(t, os.WriteFile(missing, []byte(hexOf('f')+"  kubectl-expose_gw_linux_amd64.tar.gz\n"), 0o644))
	out := filepath.Join(dir, "expose-gw.yaml")
	const url = "http://127.0.0.1:9/r/v1.2.3"
	render := "-template ../expose-gw.yaml -release-url " + url + " -out " + out + " -version v1.2.3 -checksums "
	for _, tc := range []struct{ name, args, wantOut, wantErr string }{
		{"renders", render + sums, out + ": v1.2.3 for 6 platforms from " + url + "\n", ""},
		{"check", "-check -version v1.2.3-rc.1 -release-url " + url, "", ""},
		{"bad version", "-check -version 1.2.3 -release-url " + url, "",
			`invalid version "1.2.3": expected a semantic version like v1.2.3 (make dist VERSION=v1.2.3)`},
		{"git describe version", "-check -version a615ee2-dirty -release-url " + url, "",
			`invalid version "a615ee2-dirty": expected a semantic version like v1.2.3 (make dist VERSION=v1.2.3)`},
		{"no version", "-check -release-url " + url, "",
			`invalid version "": expected a semantic version like v1.2.3 (make dist VERSION=v1.2.3)`},
		{"bad URL", "-check -version v1.2.3 -release-url file:///tmp/dist", "",
			`invalid release URL "file:///tmp/dist": expected the http(s) URL the archives are downloaded from, like https://github.com/expose-gw/kubectl-expose-gw/releases/download/v1.2.3`},
		{"URL without host", "-check -version v1.2.3 -release-url https:///x", "",
			`invalid release URL "https:///x": expected the http(s) URL the archives are downloaded from, like https://github.com/expose-gw/kubectl-expose-gw/releases/download/v1.2.3`},
		{"no URL", "-check -version v1.2.3", "",
			`invalid release URL "": expected the http(s) URL the archives are downloaded from, like https://github.com/expose-gw/kubectl-expose-gw/releases/download/v1.2.3`},
		{"archive missing in the checksums", render + missing, "",
			`template: expose-gw.yaml:LINE:COL: executing "expose-gw.yaml" at <addURIAndSha "https://github.com/expose-gw/kubectl-expose-gw/releases/download/{{ .TagName }}/kubectl-expose_gw_linux_arm64.tar.gz" .TagName>: error calling addURIAndSha: archive "kubectl-expose_gw_linux_arm64.tar.gz" is not in the checksums: expected one of kubectl-expose_gw_linux_amd64.tar.gz`},
		{"no checksums", "-version v1.2.3 -release-url " + url + " -out " + out, "", `missing -checksums: expected a file path`},
		{"checksums file absent", render + filepath.Join(dir, "nothing.txt"), "",
			`reading the checksums: open ` + filepath.Join(dir, "nothing.txt") + `: no such file or directory`},
		{"manifest named otherwise", "-template ../expose-gw.yaml -release-url " + url + " -version v1.2.3 -checksums " + sums + " -out " + filepath.Join(dir, "plugin.yaml"), "",
			`invalid output file name "plugin.yaml": expected "expose-gw.yaml", the plugin's name (metadata.name) plus .yaml, as Krew requires`},
		{"argument", "-check -version v1.2.3 -release-url " + url + " extra", "",
			`unexpected argument "extra": all inputs are flags (see -help)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "KREW_RENDER_RUN_MAIN=1", "KREW_RENDER_ARGS="+tc.args)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			assert.Equal(t, tc.wantOut, stdout.String())
			if tc.wantErr == "" {
				assert.NoError(t, err, "stderr: %s", stderr.String())
				assert.Empty(t, stderr.String())
				return
			}
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			assert.Equal(t, 1, exit.ExitCode())
			// The template's line and column change as it is edited.
			got := position.ReplaceAllString(stderr.String(), "expose-gw.yaml:LINE:COL:")
			assert.Equal(t, "error: "+tc.wantErr+"\n", got)
		})
	}
}
