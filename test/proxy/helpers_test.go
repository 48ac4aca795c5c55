package proxy

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// proc is a running `kubectl expose-gw proxy`.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	URL    string // http://127.0.0.1:PORT
	Stdout []string
	stderr *testenv.LockedBuffer
	done   chan error
}

var forwardingRE = regexp.MustCompile(`^Forwarding (http://127\.0\.0\.1:\d+) -> `)

// startProxy runs the real plugin through the real kubectl with
// --local-port 0 and waits for its Forwarding line and route URLs.
func startProxy(t *testing.T, env *testenv.Env, args ...string) *proc {
	t.Helper()
	return startProxyAs(t, env, env.Kubeconfig, args...)
}

// startProxyAs is startProxy with another kubeconfig.
func startProxyAs(t *testing.T, env *testenv.Env, kubeconfig string, args ...string) *proc {
	t.Helper()
	args = append([]string{"expose-gw", "proxy", "--local-port", "0"}, args...)
	began := time.Now()
	cmd := env.Command(context.Background(), kubeconfig, testenv.KubectlPath(), args...)
	p := &proc{t: t, cmd: cmd, stderr: &testenv.LockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
		}
	})
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("kubectl %s exited before forwarding\nstderr: %s", strings.Join(args, " "), p.stderr.String())
			}
			p.Stdout = append(p.Stdout, l)
			if m := forwardingRE.FindStringSubmatch(l); m != nil {
				p.URL = m[1]
				// The route URLs follow at once; collect what is there.
				for {
					select {
					case l, ok := <-lines:
						if !ok {
							return p
						}
						p.Stdout = append(p.Stdout, l)
						continue
					case <-time.After(200 * time.Millisecond):
					}
					break
				}
				t.Logf("$ kubectl %s (ready in %s)\n%s\n%s", strings.Join(args, " "), time.Since(began), strings.Join(p.Stdout, "\n"), p.stderr.String())
				return p
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("no Forwarding line after 60s\nstdout: %v\nstderr: %s", p.Stdout, p.stderr.String())
		}
	}
}

// Stop sends SIGINT and requires a clean exit 0.
func (p *proc) Stop() {
	p.t.Helper()
	start := time.Now()
	defer func() { p.t.Logf("stopped in %s", time.Since(start)) }()
	require.NoError(p.t, p.cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-p.done:
		require.NoError(p.t, err, "proxy must exit 0 on SIGINT; stderr: %s", p.stderr.String())
	case <-time.After(30 * time.Second):
		p.t.Fatalf("proxy did not exit 30s after SIGINT; stderr: %s", p.stderr.String())
	}
}

// Get sends a request through the proxy and returns status and body.
func (p *proc) Do(method, path string, body io.Reader) (int, string) {
	p.t.Helper()
	start := time.Now()
	defer func() { p.t.Logf("%s %s in %s", method, path, time.Since(start)) }()
	req, err := http.NewRequest(method, p.URL+path, body)
	require.NoError(p.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(p.t, err)
	return resp.StatusCode, string(b)
}

// raw writes a request as is and returns the status and body.
func raw(t *testing.T, base, request string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, request)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// exposeRoute writes a Gateway (if missing) and a VirtualService routing
// hosts (prefix path) to Service svc in default, as `kubectl expose-gw` does.
func exposeRoute(t *testing.T, env *testenv.Env, svc string, hosts []string, prefix string) {
	t.Helper()
	ctx := env.Ctx()
	gw := &networkingv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: "gw-" + svc, Namespace: "default"},
		Spec: apinet.Gateway{
			Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*apinet.Server{{
				Port:  &apinet.Port{Number: 80, Name: "http", Protocol: "HTTP"},
				Hosts: []string{"*"},
			}},
		},
	}
	_, err := env.Istio.NetworkingV1().Gateways("default").Create(ctx, gw, metav1.CreateOptions{})
	require.NoError(t, err)
	vs := &networkingv1.VirtualService{
		ObjectMeta: metav1.ObjectMeta{Name: svc, Namespace: "default"},
		Spec: apinet.VirtualService{
			Hosts:    hosts,
			Gateways: []string{gw.Name},
			Http: []*apinet.HTTPRoute{{
				Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: prefix}}}},
				Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{
					Host: svc + ".default.svc.cluster.local", Port: &apinet.PortSelector{Number: 80}}}},
			}},
		},
	}
	_, err = env.Istio.NetworkingV1().VirtualServices("default").Create(ctx, vs, metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()
}

// exposeHTTPS writes a Gateway with an HTTPS server on 443 for hosts (TLS
// credential in the gateway's namespace) and a VirtualService sending them
// to svc.
func exposeHTTPS(t *testing.T, env *testenv.Env, svc string, hosts []string, credential string) {
	t.Helper()
	ctx := env.Ctx()
	gw := &networkingv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: "gw-" + svc, Namespace: "default"},
		Spec: apinet.Gateway{
			Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*apinet.Server{{
				Port:  &apinet.Port{Number: 443, Name: "https", Protocol: "HTTPS"},
				Hosts: hosts,
				Tls:   &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_SIMPLE, CredentialName: credential},
			}},
		},
	}
	_, err := env.Istio.NetworkingV1().Gateways("default").Create(ctx, gw, metav1.CreateOptions{})
	require.NoError(t, err)
	vs := &networkingv1.VirtualService{
		ObjectMeta: metav1.ObjectMeta{Name: svc, Namespace: "default"},
		Spec: apinet.VirtualService{
			Hosts:    hosts,
			Gateways: []string{gw.Name},
			Http: []*apinet.HTTPRoute{{Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{
				Host: svc + ".default.svc.cluster.local", Port: &apinet.PortSelector{Number: 80}}}}}},
		},
	}
	_, err = env.Istio.NetworkingV1().VirtualServices("default").Create(ctx, vs, metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()
}
