package krew_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
	"github.com/expose-gw/kubectl-expose-gw/test/krewspec"
)

func readManifest(t *testing.T, path string) krewspec.Plugin {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	m, err := krewspec.Parse(data)
	require.NoError(t, err)
	return m
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// TestDistIsReproducible builds the release a second time from another copy
// of the same sources, at another path: every file must be byte for byte
// the same.
func TestDistIsReproducible(t *testing.T) {
	first := dist(t)
	second := filepath.Join(distRoot, "second-build")
	require.NoError(t, makeDist(filepath.Join(distRoot, "another", "copy-of-the-sources"), second))

	names := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	require.Equal(t, names(first), names(second))
	for _, name := range names(first) {
		assert.Equal(t, sha256File(t, filepath.Join(first, name)), sha256File(t, filepath.Join(second, name)),
			"%s differs between two builds of the same sources", name)
	}
	sums, err := os.ReadFile(filepath.Join(first, "checksums.txt"))
	require.NoError(t, err)
	t.Logf("checksums.txt of both builds:\n%s", sums)
}

// TestDistContents checks the six archives, what they hold and how (the
// entries' order, modes, owner and times: what makes them reproducible), the
// manifest's URLs and checksums, and checksums.txt.
func TestDistContents(t *testing.T) {
	dir := dist(t)
	var want []string
	for _, p := range krewspec.Platforms {
		want = append(want, p.Archive)
	}
	want = append(want, "checksums.txt", "expose-gw.yaml")
	var got []string
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	assert.Equal(t, want, got, "make dist writes the archives, checksums.txt and the manifest, nothing else")

	license, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "LICENSE"))
	require.NoError(t, err)
	ct, err := git(testenv.RepoRoot(), nil, "log", "-1", "--format=%ct")
	require.NoError(t, err)
	sec, err := strconv.ParseInt(ct, 10, 64)
	require.NoError(t, err)
	commitTime := time.Unix(sec, 0)

	m := readManifest(t, filepath.Join(dir, "expose-gw.yaml"))
	assert.Equal(t, "krew.googlecontainertools.github.com/v1alpha2", m.APIVersion)
	assert.Equal(t, "Plugin", m.Kind)
	assert.Equal(t, "expose-gw", m.Metadata.Name)
	assert.Equal(t, Version, m.Spec.Version)
	require.Len(t, m.Spec.Platforms, len(krewspec.Platforms))

	sums := map[string]string{}
	for i, p := range krewspec.Platforms {
		t.Run(p.OS+"/"+p.Arch, func(t *testing.T) {
			path := filepath.Join(dir, p.Archive)
			sum := sha256File(t, path)
			sums[p.Archive] = sum

			mp := m.Spec.Platforms[i]
			assert.Equal(t, map[string]string{"os": p.OS, "arch": p.Arch}, mp.Selector.MatchLabels)
			assert.Equal(t, serverURL+"/"+p.Archive, mp.URI)
			assert.Equal(t, sum, mp.SHA256, "the manifest's sha256 is the archive's, in lowercase hex")
			assert.Equal(t, p.Bin, mp.Bin)

			files := archiveFiles(t, path)
			var names []string
			for _, f := range files {
				names = append(names, f.name)
				assert.True(t, commitTime.Equal(f.mtime), "mtime of %s: %s, expected the commit's %s", f.name, f.mtime, commitTime)
			}
			// goreleaser's fixed order: the files sorted by name, then the binary.
			assert.Equal(t, []string{"LICENSE", "README.md", p.Completion, p.Bin}, names, "the archive's entries, in order, at its root")
			var from []string
			for _, f := range mp.Files {
				from = append(from, f.From)
				assert.Equal(t, ".", f.To)
			}
			slices.Sort(from)
			slices.Sort(names)
			assert.Equal(t, names, from, "the manifest installs every file of the archive")

			byName := map[string]archived{}
			for _, f := range files {
				byName[f.name] = f
			}
			assert.Equal(t, license, byName["LICENSE"].data)
			assert.Equal(t, fs.FileMode(0o644), byName["LICENSE"].mode)
			assert.Equal(t, fs.FileMode(0o644), byName["README.md"].mode)
			assert.Equal(t, fs.FileMode(0o755), byName[p.Bin].mode, "the binary is executable")
			assert.Equal(t, fs.FileMode(0o755), byName[p.Completion].mode, "the completion helper is executable")
			assert.Contains(t, string(byName[p.Completion].data), "__complete")
			assertExecutable(t, p, byName[p.Bin].data)
		})
	}

	// checksums.txt lists the archives, sorted by name, as sha256sum prints
	// them; and sha256sum -c agrees.
	var lines []string
	for name, sum := range sums {
		lines = append(lines, sum+"  "+name+"\n")
	}
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) })
	data, err := os.ReadFile(filepath.Join(dir, "checksums.txt"))
	require.NoError(t, err)
	assert.Equal(t, strings.Join(lines, ""), string(data))
	check := exec.Command("sha256sum", "--check", "--strict", "checksums.txt")
	check.Dir = dir
	out, err := check.CombinedOutput()
	assert.NoError(t, err, "sha256sum --check checksums.txt:\n%s", out)
	assert.Equal(t, len(krewspec.Platforms), strings.Count(string(out), ": OK\n"), "sha256sum --check checksums.txt:\n%s", out)
}

// archived is one entry of an archive.
type archived struct {
	name  string
	mode  fs.FileMode
	mtime time.Time
	data  []byte
}

// archiveFiles reads a .tar.gz or .zip's entries in their order. A tar's
// entries must be regular files owned by root:root (0/0) and its gzip
// header carry no name or time.
func archiveFiles(t *testing.T, path string) []archived {
	t.Helper()
	var out []archived
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		require.NoError(t, err)
		defer zr.Close()
		for _, f := range zr.File {
			rc, err := f.Open()
			require.NoError(t, err)
			data, err := io.ReadAll(rc)
			require.NoError(t, err)
			out = append(out, archived{name: f.Name, mode: f.Mode(), mtime: f.Modified, data: data})
		}
		return out
	}
	fh, err := os.Open(path)
	require.NoError(t, err)
	defer fh.Close()
	gz, err := gzip.NewReader(fh)
	require.NoError(t, err)
	assert.Empty(t, gz.Name, "no file name in the gzip header")
	assert.True(t, gz.ModTime.IsZero(), "no time in the gzip header")
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		assert.Equal(t, byte(tar.TypeReg), h.Typeflag, "%s is a regular file", h.Name)
		assert.Zero(t, h.Uid, "uid of %s", h.Name)
		assert.Zero(t, h.Gid, "gid of %s", h.Name)
		assert.Equal(t, "root", h.Uname, "owner of %s", h.Name)
		assert.Equal(t, "root", h.Gname, "group of %s", h.Name)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		out = append(out, archived{name: h.Name, mode: fs.FileMode(h.Mode), mtime: h.ModTime, data: data})
	}
}

// assertExecutable checks that data is an executable for p's OS and CPU.
func assertExecutable(t *testing.T, p krewspec.Platform, data []byte) {
	t.Helper()
	r := bytes.NewReader(data)
	switch p.OS {
	case "linux":
		f, err := elf.NewFile(r)
		require.NoError(t, err, "an ELF binary")
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[p.Arch]
		assert.Equal(t, want, f.Machine)
	case "darwin":
		f, err := macho.NewFile(r)
		require.NoError(t, err, "a Mach-O binary")
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[p.Arch]
		assert.Equal(t, want, f.Cpu)
	case "windows":
		f, err := pe.NewFile(r)
		require.NoError(t, err, "a PE binary")
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[p.Arch]
		assert.Equal(t, want, f.Machine)
	}
}
