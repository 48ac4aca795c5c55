package testenv

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
)

// Race runs every command (kubectl arguments) at once through the real
// kubectl and the plugin, as users of the same moment would, and returns
// their results in order. The gateway syncs once, after the last one.
func (e *Env) Race(cmds [][]string) []Result {
	e.t.Helper()
	type run struct {
		out, errb bytes.Buffer
		err       error
	}
	runs := make([]run, len(cmds))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, args := range cmds {
		cmd := e.Command(e.Ctx(), e.Kubeconfig, KubectlPath(), args...)
		cmd.Stdout, cmd.Stderr = &runs[i].out, &runs[i].errb
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			runs[i].err = cmd.Run()
		}()
	}
	close(start)
	wg.Wait()
	out := make([]Result, len(cmds))
	for i, args := range cmds {
		out[i] = e.result(runs[i].err, &runs[i].out, &runs[i].errb, KubectlPath(), args)
		e.t.Logf("$ %s %s (exit %d, raced)\n%s%s", filepath.Base(KubectlPath()), strings.Join(args, " "), out[i].ExitCode, out[i].Stdout, out[i].Stderr)
	}
	if e.IstioGateway != nil {
		if err := e.IstioGateway.sync(); err != nil {
			e.t.Errorf("after the raced commands: %v", err)
		}
	}
	return out
}
