package krew_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestMakeDistBadInput: a bad VERSION or RELEASE_URL stops make dist before
// anything is built, with one line naming the value and what was expected
// (then make's own line saying which target failed).
func TestMakeDistBadInput(t *testing.T) {
	for _, tc := range []struct{ name, version, url, wantErr string }{
		{"version without v", "1.2.3", "http://127.0.0.1:9/r",
			`error: invalid version "1.2.3": expected a semantic version like v1.2.3 (make dist VERSION=v1.2.3)`},
		{"version from git describe without tags", "a615ee2-dirty", "http://127.0.0.1:9/r",
			`error: invalid version "a615ee2-dirty": expected a semantic version like v1.2.3 (make dist VERSION=v1.2.3)`},
		{"release URL not http", "v1.2.3", "127.0.0.1:9/r",
			`error: invalid release URL "127.0.0.1:9/r": expected the http(s) URL the archives are downloaded from, like https://github.com/expose-gw/kubectl-expose-gw/releases/download/v1.2.3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "dist")
			cmd := exec.Command("make", "--no-print-directory", "-C", testenv.RepoRoot(), "dist",
				"BIN="+testenv.BinDir(), "VERSION="+tc.version, "RELEASE_URL="+tc.url, "DIST="+out)
			cmd.Env = makeEnv()
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "make dist accepted it:\n%s%s", stdout.String(), stderr.String())
			assert.NotZero(t, exit.ExitCode())
			assert.Empty(t, stdout.String())
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			require.Len(t, lines, 2, "stderr: %s", stderr.String())
			assert.Equal(t, tc.wantErr, lines[0])
			assert.Regexp(t, regexp.MustCompile(`^make: \*\*\* \[Makefile:\d+: dist\] Error 1$`), lines[1])
			assert.NoDirExists(t, out)
		})
	}
}
