package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	testMTime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	testFiles = []File{
		{Name: "kubectl-expose_gw", Mode: 0o755, Data: []byte("binary")},
		{Name: "README.md", Mode: 0o644, Data: []byte("# readme\n")},
		{Name: "LICENSE", Mode: 0o444, Data: []byte("license text")},
	}
	wantNames = []string{"LICENSE", "README.md", "kubectl-expose_gw"}
)

func reversed(files []File) []File {
	out := make([]File, len(files))
	for i, f := range files {
		out[len(files)-1-i] = f
	}
	return out
}

func TestArchivesAreReproducible(t *testing.T) {
	for name, pack := range map[string]func([]File, time.Time) ([]byte, error){"tar.gz": TarGz, "zip": Zip} {
		t.Run(name, func(t *testing.T) {
			a, err := pack(testFiles, testMTime)
			require.NoError(t, err)
			b, err := pack(reversed(testFiles), testMTime)
			require.NoError(t, err)
			assert.Equal(t, a, b, "same files in another order must give the same bytes")
			c, err := pack(testFiles, testMTime.Add(time.Hour))
			require.NoError(t, err)
			assert.NotEqual(t, a, c, "the mtime is part of the archive")
		})
	}
}

func TestTarGzHeaders(t *testing.T) {
	data, err := TarGz(testFiles, testMTime)
	require.NoError(t, err)
	gz, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Empty(t, gz.Name, "no file name in the gzip header")
	assert.True(t, gz.ModTime.IsZero(), "no time in the gzip header")
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		names = append(names, h.Name)
		assert.Equal(t, byte(tar.TypeReg), h.Typeflag)
		assert.Zero(t, h.Uid)
		assert.Zero(t, h.Gid)
		assert.Empty(t, h.Uname)
		assert.Empty(t, h.Gname)
		assert.True(t, testMTime.Equal(h.ModTime), "mtime of %s: %s", h.Name, h.ModTime)
		want := fileNamed(t, h.Name)
		assert.Equal(t, int64(want.Mode), h.Mode, "mode of %s", h.Name)
		body, err := io.ReadAll(tr)
		require.NoError(t, err)
		assert.Equal(t, want.Data, body)
	}
	assert.Equal(t, wantNames, names, "entries sorted by name")
}

func TestZipHeaders(t *testing.T) {
	data, err := Zip(testFiles, testMTime)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		want := fileNamed(t, f.Name)
		assert.Equal(t, want.Mode, f.Mode(), "mode of %s", f.Name)
		assert.True(t, testMTime.Equal(f.Modified), "mtime of %s: %s", f.Name, f.Modified)
		rc, err := f.Open()
		require.NoError(t, err)
		body, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, want.Data, body)
	}
	assert.Equal(t, wantNames, names, "entries sorted by name")
}

func TestArchivesRefuseDuplicates(t *testing.T) {
	dup := append(testFiles, File{Name: "LICENSE", Mode: 0o644})
	_, err := TarGz(dup, testMTime)
	assert.EqualError(t, err, `file "LICENSE" listed twice: expected unique names`)
	_, err = Zip(dup, testMTime)
	assert.EqualError(t, err, `file "LICENSE" listed twice: expected unique names`)
}

func fileNamed(t *testing.T, name string) File {
	t.Helper()
	for _, f := range testFiles {
		if f.Name == name {
			return File{Name: f.Name, Mode: f.Mode & fs.ModePerm, Data: f.Data}
		}
	}
	t.Fatalf("unexpected file %q in the archive", name)
	return File{}
}
