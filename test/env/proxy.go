package testenv

import (
	"bufio"
	"context"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ForwardingRE matches the proxy's first line: its local address, where it
// forwards to, and the Host it sends.
var ForwardingRE = regexp.MustCompile(`^Forwarding http://(127\.0\.0\.1:\d+) -> (.*) \(Host: (.*)\)$`)

// Proxy is a `kubectl expose-gw proxy` StartProxy started.
type Proxy struct {
	Addr string // 127.0.0.1:PORT, from its Forwarding line
	URL  string // http://Addr
	Line string // the Forwarding line
	// Stderr is what it printed on stderr up to its Forwarding line.
	Stderr string
	stderr string       // the file its stderr goes to
	out    *stdoutLines // what it printed on stdout after its Forwarding line
}

// stdoutLines collects a proxy's stdout lines as they come.
type stdoutLines struct {
	mu sync.Mutex
	l  []string
}

// StdoutAfter is what it printed on stdout after its Forwarding line, once
// it has printed at least n lines there (or 10s passed).
func (p Proxy) StdoutAfter(n int) []string {
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		p.out.mu.Lock()
		got := append([]string(nil), p.out.l...)
		p.out.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
	}
}

// StderrNow is what it has printed on stderr so far.
func (p Proxy) StderrNow() string { return readStderr(p.stderr) }

// readStderr is the content of a proxy's stderr file.
func readStderr(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// StartProxy runs the real `kubectl expose-gw proxy --local-port 0 ARGS`
// (through the real kubectl) in the background and returns once it prints
// its Forwarding line. When t ends it is sent SIGINT and must exit 0
// within 30s.
func StartProxy(t TB, env *Env, args ...string) Proxy {
	t.Helper()
	args = append([]string{"expose-gw", "proxy", "--local-port", "0"}, args...)
	cmdline := "kubectl " + strings.Join(args, " ")
	cmd := env.Command(context.Background(), env.Kubeconfig, KubectlPath(), args...)
	// Its stderr is a file, not a pipe exec copies from in a goroutine:
	// what it printed there before its Forwarding line is in the file by
	// the time that line arrives.
	f, err := os.CreateTemp(t.TempDir(), "proxy-stderr-")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() // the child has its own descriptor
	stderrPath := f.Name()
	cmd.Stderr = f
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
				t.Errorf("%s: %v on SIGINT, expected exit 0; stderr:\n%s", cmdline, err, readStderr(stderrPath))
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("%s did not exit 30s after SIGINT", cmdline)
		}
	})
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("%s exited before forwarding; stderr:\n%s", cmdline, readStderr(stderrPath))
			}
			if m := ForwardingRE.FindStringSubmatch(l); m != nil {
				p := Proxy{Addr: m[1], URL: "http://" + m[1], Line: l, Stderr: readStderr(stderrPath), stderr: stderrPath, out: &stdoutLines{}}
				t.Logf("$ %s\n%s\n%s", cmdline, l, p.Stderr)
				go func() { // the route URLs follow: keep the pipe drained
					for l := range lines {
						p.out.mu.Lock()
						p.out.l = append(p.out.l, l)
						p.out.mu.Unlock()
					}
				}()
				return p
			}
			t.Logf("$ %s: %s", cmdline, l)
		case <-timeout:
			t.Fatalf("%s printed no Forwarding line in 60s; stderr:\n%s", cmdline, readStderr(stderrPath))
		}
	}
}
