package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// MainPackage is the plugin's main package, relative to the module root.
const MainPackage = "./cmd/kubectl-expose_gw"

// BuildArgs are the arguments of `go build` for a reproducible binary:
// no file system paths (-trimpath), no VCS stamp (the version and commit
// come from ldflags), no cgo.
func BuildArgs(ldflags, out string) []string {
	return []string{"build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, MainPackage}
}

// Build cross-compiles the plugin for p in the module at source and returns
// the binary.
func Build(ctx context.Context, source, work string, p Platform, ldflags string) ([]byte, error) {
	out, err := filepath.Abs(filepath.Join(work, p.OS+"_"+p.Arch, p.Binary()))
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "go", BuildArgs(ldflags, out)...)
	cmd.Dir = source
	cmd.Env = append(os.Environ(), "GOOS="+p.OS, "GOARCH="+p.Arch, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building %s/%s: %w\n%s", p.OS, p.Arch, err, b)
	}
	return os.ReadFile(out)
}
