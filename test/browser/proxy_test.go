package browser

import (
	"bufio"
	"context"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

var forwardingRE = regexp.MustCompile(`^Forwarding (http://127\.0\.0\.1:\d+) -> `)

// startProxy runs `kubectl expose-gw proxy --local-port 0 ARGS` (the real
// plugin through the real kubectl) and returns the address it forwards
// from once it prints its Forwarding line. It is interrupted, and must
// exit 0, when the test ends.
func startProxy(t *testing.T, env *testenv.Env, args ...string) string {
	t.Helper()
	args = append([]string{"expose-gw", "proxy", "--local-port", "0"}, args...)
	cmd := env.Command(context.Background(), env.Kubeconfig, testenv.KubectlPath(), args...)
	stderr := &testenv.LockedBuffer{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("kubectl %s: %v on SIGINT; stderr:\n%s", strings.Join(args, " "), err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("kubectl %s did not exit 30s after SIGINT", strings.Join(args, " "))
		}
	})
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("kubectl %s exited before forwarding; stderr:\n%s", strings.Join(args, " "), stderr.String())
			}
			t.Logf("$ kubectl %s: %s", strings.Join(args, " "), l)
			if m := forwardingRE.FindStringSubmatch(l); m != nil {
				go func() { // the route URLs follow: keep the pipe drained
					for range lines {
					}
				}()
				return m[1]
			}
		case <-timeout:
			t.Fatalf("kubectl %s printed no Forwarding line in 60s; stderr:\n%s", strings.Join(args, " "), stderr.String())
		}
	}
}
