package krew_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDistBuildSettings reads the build settings Go records in the released
// linux/amd64 binary (`go version -m`): built without cgo, with -trimpath,
// without a VCS stamp (the version and commit come from -ldflags alone), for
// linux/amd64.
func TestDistBuildSettings(t *testing.T) {
	dir := dist(t)
	var bin []byte
	for _, f := range archiveFiles(t, filepath.Join(dir, "kubectl-expose_gw_linux_amd64.tar.gz")) {
		if f.name == "kubectl-expose_gw" {
			bin = f.data
		}
	}
	require.NotEmpty(t, bin, "the archive holds kubectl-expose_gw")
	path := filepath.Join(t.TempDir(), "kubectl-expose_gw")
	require.NoError(t, os.WriteFile(path, bin, 0o755))
	out, err := exec.Command("go", "version", "-m", path).Output()
	require.NoError(t, err)

	settings := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.SplitN(strings.TrimSpace(line), "\t", 2); len(f) == 2 && f[0] == "build" {
			k, v, _ := strings.Cut(f[1], "=")
			if u, err := strconv.Unquote(v); err == nil {
				v = u // a value with spaces is quoted
			}
			settings[k] = v
		}
	}
	t.Logf("go version -m:\n%s", out)
	// Go does not record -ldflags with -trimpath (they may hold paths): the
	// version and commit they stamp are checked by TestKrewInstall.
	assert.Equal(t, "true", settings["-trimpath"])
	assert.Equal(t, "0", settings["CGO_ENABLED"])
	assert.Equal(t, "linux", settings["GOOS"])
	assert.Equal(t, "amd64", settings["GOARCH"])
	for k := range settings {
		assert.False(t, strings.HasPrefix(k, "vcs"), "build setting %s: no VCS stamp expected", k)
	}
}
