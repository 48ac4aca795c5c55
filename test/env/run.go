package testenv

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Result is the outcome of a command run by Run.
type Result struct {
	Stdout, Stderr string
	ExitCode       int
}

// KubectlPath is the kubectl users have (/usr/bin/kubectl) when present,
// else the one built into bin/. EXPOSE_GW_KUBECTL overrides it.
func KubectlPath() string {
	if p := os.Getenv("EXPOSE_GW_KUBECTL"); p != "" {
		return p
	}
	if p, err := exec.LookPath("kubectl"); err == nil {
		return p
	}
	return filepath.Join(BinDir(), "kubectl")
}

// Kubectl runs the real kubectl with the admin kubeconfig and a PATH on which
// the plugin built from this checkout comes first, so `Kubectl("expose-gw",
// ...)` goes through kubectl's plugin discovery.
func (e *Env) Kubectl(args ...string) Result {
	return e.KubectlAs(e.Kubeconfig, args...)
}

// KubectlAs is Kubectl with another kubeconfig (e.g. from AddUser).
func (e *Env) KubectlAs(kubeconfig string, args ...string) Result {
	e.t.Helper()
	return e.RunCmd(e.Ctx(), kubeconfig, nil, KubectlPath(), args...)
}

// RunCmd runs name with args, KUBECONFIG=kubeconfig, the plugin on PATH and
// extra environment entries.
func (e *Env) RunCmd(ctx context.Context, kubeconfig string, env []string, name string, args ...string) Result {
	e.t.Helper()
	cmd := e.Command(ctx, kubeconfig, name, args...)
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	r := e.result(cmd.Run(), &out, &errb, name, args)
	e.t.Logf("$ %s %s (exit %d)\n%s%s", filepath.Base(name), strings.Join(args, " "), r.ExitCode, r.Stdout, r.Stderr)
	if e.IstioGateway != nil {
		// The command may have written objects: requests sent next must see
		// them, as they would once istiod has pushed.
		if err := e.IstioGateway.sync(); err != nil {
			e.t.Errorf("after %s %s: %v", filepath.Base(name), strings.Join(args, " "), err)
		}
	}
	return r
}

// Command prepares (without starting) name with args, KUBECONFIG=kubeconfig
// and the plugin first on PATH.
func (e *Env) Command(ctx context.Context, kubeconfig, name string, args ...string) *exec.Cmd {
	e.t.Helper()
	dir, err := PluginDir()
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(),
		"KUBECONFIG="+kubeconfig,
		"PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+e.Dir, // no user kubeconfig, cache or krew leaks in
	)
	return cmd
}

// result is a finished command's outcome: its output and exit code (a
// command that could not run fails the test).
func (e *Env) result(err error, out, errb *bytes.Buffer, name string, args []string) Result {
	e.t.Helper()
	r := Result{Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.ExitCode = ee.ExitCode()
	case err != nil:
		e.t.Fatalf("running %s %s: %v", name, strings.Join(args, " "), err)
	}
	return r
}
