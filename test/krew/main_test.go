// Package krew_test proves the release end to end, offline: `make dist`
// (twice, from two copies of the sources, to show it is reproducible), a
// local HTTP server standing in for the release download URL, krew's own
// validate-krew-manifest installing all six platforms, a real
// `kubectl krew install` into a scratch KREW_ROOT, the installed plugin run
// through the real kubectl, and its completion helper answering kubectl's
// `__complete` with names from a real kube-apiserver.
package krew_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// Version is the version the test releases.
const Version = "v9.8.7-test.1"

var (
	// server serves the dist folder of the first build, as a release
	// download URL would.
	serverURL string
	served    = map[string]int{} // path -> GET count
	servedMu  sync.Mutex
	distRoot  string // parent of the dist folders of both builds
	distDir   string // the dist folder served
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if distRoot, err = os.MkdirTemp("", "expose-gw-krew-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(distRoot)
	distDir = filepath.Join(distRoot, "served")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The archives are served under /releases/VERSION/, as on GitHub.
	files := http.StripPrefix("/releases/"+Version, http.FileServer(http.Dir(distDir)))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		servedMu.Lock()
		served[r.URL.Path]++
		servedMu.Unlock()
		files.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	serverURL = "http://" + ln.Addr().String() + "/releases/" + Version
	return m.Run()
}

// servedCount is how many times the file name of the release was fetched.
func servedCount(name string) int {
	servedMu.Lock()
	defer servedMu.Unlock()
	return served["/releases/"+Version+"/"+name]
}

var (
	distOnce sync.Once
	distErr  error
	commit   string
)

// dist runs `make dist` once for the package, from a copy of the sources,
// into the served folder, and returns that folder.
func dist(t *testing.T) string {
	t.Helper()
	distOnce.Do(func() {
		commit, distErr = git(testenv.RepoRoot(), nil, "rev-parse", "--short", "HEAD")
		if distErr != nil {
			return
		}
		distErr = makeDist(filepath.Join(distRoot, "src-a"), distDir)
	})
	if distErr != nil {
		t.Fatal(distErr)
	}
	return distDir
}

// makeDist snapshots the checkout's sources into src and runs `make dist`
// there into out, with the goreleaser of the checkout's bin/.
func makeDist(src, out string) error {
	if err := snapshotSources(testenv.RepoRoot(), src); err != nil {
		return fmt.Errorf("snapshotting the sources: %w", err)
	}
	cmd := exec.Command("make", "--no-print-directory", "-C", src, "dist", "BIN="+testenv.BinDir(),
		"VERSION="+Version, "COMMIT="+commit, "RELEASE_URL="+serverURL, "DIST="+out)
	cmd.Env = makeEnv()
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("make dist: %w\n%s", err, b)
	}
	return nil
}

// makeEnv is the environment without what an outer make (`make test`)
// passes to its children, so that a make the tests start behaves (and
// prints) as one run by hand.
func makeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES":
		default:
			env = append(env, kv)
		}
	}
	return env
}

var (
	toolsOnce sync.Once
	toolsDir  string
	toolsErr  error
)

// krewTools returns a folder holding kubectl-krew and
// validate-krew-manifest (krew v0.4.3), built by `make krew-tools` when
// missing.
func krewTools(t *testing.T) string {
	t.Helper()
	toolsOnce.Do(func() {
		src := filepath.Join(testenv.BinDir(), "krew-tools")
		if _, err := os.Stat(filepath.Join(src, "krew")); err != nil {
			cmd := exec.Command("make", "--no-print-directory", "-C", testenv.RepoRoot(), "krew-tools")
			if b, err := cmd.CombinedOutput(); err != nil {
				toolsErr = fmt.Errorf("make krew-tools: %w\n%s", err, b)
				return
			}
		}
		// kubectl runs krew as the plugin kubectl-krew.
		toolsDir = filepath.Join(distRoot, "krew-tools")
		if err := os.MkdirAll(toolsDir, 0o755); err != nil {
			toolsErr = err
			return
		}
		for name, from := range map[string]string{"kubectl-krew": "krew", "validate-krew-manifest": "validate-krew-manifest"} {
			if err := os.Symlink(filepath.Join(src, from), filepath.Join(toolsDir, name)); err != nil {
				toolsErr = err
				return
			}
		}
	})
	if toolsErr != nil {
		t.Fatal(toolsErr)
	}
	return toolsDir
}

// searchPath is a PATH holding only the given folders, then the folder of
// the real kubectl and the system's: no kubectl-expose_gw built elsewhere
// (e.g. by `make install`) can be found instead of the one under test.
func searchPath(dirs ...string) string {
	dirs = append(dirs, filepath.Dir(testenv.KubectlPath()), "/usr/bin", "/bin")
	return strings.Join(dirs, string(os.PathListSeparator))
}

// result is the outcome of a command.
type result struct {
	Stdout, Stderr string
	ExitCode       int
}

// runCmd runs name with args and exactly env (plus nothing inherited).
func runCmd(t *testing.T, ctx context.Context, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{Stdout: out.String(), Stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.ExitCode = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s %s: %v", name, strings.Join(args, " "), err)
	}
	t.Logf("$ %s %s (exit %d)\n%s%s", filepath.Base(name), strings.Join(args, " "), r.ExitCode, r.Stdout, r.Stderr)
	return r
}
