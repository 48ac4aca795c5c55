package testenv

import (
	"os"
	"os/exec"
)

// startProcess runs a helper program of the environment (kwok, istiogw)
// with its output in logPath. It is killed when the test ends, before the
// apiserver stops (registered later, run earlier), and the tail of its log
// is shown when the test failed. The channel yields its exit.
func (e *Env) startProcess(name, bin string, args []string, logPath string) <-chan error {
	t := e.t
	t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		logf.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				t.Logf("%s log (tail):\n%s", name, tail(b, 3000))
			}
		}
	})
	return done
}
