package testenv

import (
	"bytes"
	"path/filepath"
	"strings"
	"time"
)

// KubectlSyncing is Kubectl with Istio at work while the command runs: the
// Istio-driven gateway syncs (deployment, routes, status) every
// interval, as istiod reacts to writes, so a command that waits for
// Istio's verdict (expose --wait) gets it. before runs once the command
// has started, before each sync (nil: nothing), for tests that change
// the cluster under a waiting command.
func (e *Env) KubectlSyncing(interval time.Duration, before func(), args ...string) Result {
	e.t.Helper()
	cmd := e.Command(e.Ctx(), e.Kubeconfig, KubectlPath(), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("starting kubectl %s: %v", strings.Join(args, " "), err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
loop:
	for {
		select {
		case err = <-done:
			break loop
		case <-time.After(interval):
			if before != nil {
				before()
			}
			if serr := e.IstioGateway.sync(); serr != nil {
				e.t.Errorf("while kubectl %s ran: %v", strings.Join(args, " "), serr)
			}
		}
	}
	r := e.result(err, &out, &errb, "kubectl", args)
	e.t.Logf("$ %s %s (exit %d, Istio syncing)\n%s%s", filepath.Base(KubectlPath()), strings.Join(args, " "), r.ExitCode, r.Stdout, r.Stderr)
	if serr := e.IstioGateway.sync(); serr != nil {
		e.t.Errorf("after kubectl %s: %v", strings.Join(args, " "), serr)
	}
	return r
}
