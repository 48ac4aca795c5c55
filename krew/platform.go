package main

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Platform is one os/arch the release is built for.
type Platform struct {
	OS, Arch string
}

// DefaultPlatforms are the platforms of a release.
var DefaultPlatforms = []Platform{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// ParsePlatforms parses "linux/amd64,windows/arm64": each must be one of
// DefaultPlatforms.
func ParsePlatforms(v string) ([]Platform, error) {
	var out []Platform
	for _, s := range strings.Split(v, ",") {
		goos, arch, _ := strings.Cut(strings.TrimSpace(s), "/")
		p := Platform{goos, arch}
		if !slices.Contains(DefaultPlatforms, p) {
			return nil, fmt.Errorf("invalid platform %q: expected OS/ARCH among linux, darwin, windows and amd64, arm64", s)
		}
		out = append(out, p)
	}
	return out, nil
}

// BinaryName is the plugin's file name: kubectl finds `kubectl expose-gw`
// as kubectl-expose_gw on PATH.
const BinaryName = "kubectl-expose_gw"

// CompletionName is the completion helper kubectl 1.26+ looks up on PATH.
const CompletionName = "kubectl_complete-expose_gw"

var (
	//go:embed kubectl_complete-expose_gw
	completionSh []byte
	//go:embed kubectl_complete-expose_gw.cmd
	completionCmd []byte
)

func (p Platform) windows() bool { return p.OS == "windows" }

// Binary is the plugin's file name on p.
func (p Platform) Binary() string {
	if p.windows() {
		return BinaryName + ".exe"
	}
	return BinaryName
}

// Archive is the release archive's file name for p.
func (p Platform) Archive() string {
	if p.windows() {
		return BinaryName + "_" + p.OS + "_" + p.Arch + ".zip"
	}
	return BinaryName + "_" + p.OS + "_" + p.Arch + ".tar.gz"
}

// completionFile is the completion helper for p: a shell script, or a
// batch file on Windows (where kubectl finds executables by extension).
func completionFile(p Platform) File {
	if p.windows() {
		return File{Name: CompletionName + ".cmd", Mode: 0o755, Data: completionCmd}
	}
	return File{Name: CompletionName, Mode: 0o755, Data: completionSh}
}

// ArchiveBytes packs files the way p's users unpack them: zip on Windows,
// tar.gz elsewhere.
func (p Platform) ArchiveBytes(files []File, mtime time.Time) ([]byte, error) {
	if p.windows() {
		return Zip(files, mtime)
	}
	return TarGz(files, mtime)
}
