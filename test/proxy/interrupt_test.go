package proxy

import (
	"context"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestInterruptWhileStarting presses Ctrl-C while the proxy is still
// opening its first port-forward tunnel. pool.Start does not wait for a
// Ready pod (it fails at once when there is none), so the real window in
// which it blocks is the tunnel dial: here the only Ready gateway pod runs
// on a node whose "kubelet" accepts TCP connections and never answers, so
// the apiserver's upgrade to it hangs. The proxy must exit 0 with nothing
// on stderr that reads as an error (SIGINT and SIGTERM alike, --via auto
// too), and without waiting for the dial to give up.
func TestInterruptWhileStarting(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{NoGatewayPod: true})
	exposeRoute(t, env, "flaskapp", []string{"flask.example.com"}, "/env")

	kubelet := newSilentServer(t)
	stuckNode(t, env, "node-silent", kubelet.port())
	readyPodOn(t, env, "istio-ingressgateway-silent", "node-silent")

	for _, tt := range []struct {
		sig syscall.Signal
		via string
	}{{syscall.SIGINT, "port-forward"}, {syscall.SIGTERM, "auto"}} {
		t.Run(tt.sig.String()+" --via "+tt.via, func(t *testing.T) {
			for len(kubelet.accepted) > 0 {
				<-kubelet.accepted // the previous proxy's
			}
			cmd := env.Command(context.Background(), env.Kubeconfig, testenv.KubectlPath(),
				"expose-gw", "proxy", "flaskapp", "--local-port", "0", "--via", tt.via)
			var stdout, stderr testenv.LockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			t.Cleanup(func() {
				if cmd.ProcessState == nil {
					_ = cmd.Process.Kill()
					<-done
				}
			})

			// The apiserver dialling the silent kubelet means the proxy is
			// inside pool.Start, waiting for its first tunnel.
			select {
			case <-kubelet.accepted:
			case err := <-done:
				t.Fatalf("proxy exited (%v) before dialling the gateway pod\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
			case <-time.After(60 * time.Second):
				t.Fatalf("the apiserver never dialled the pod's kubelet\nstderr: %s", stderr.String())
			}
			require.NoError(t, cmd.Process.Signal(tt.sig))
			interrupted := time.Now()
			select {
			case err := <-done:
				// Logged, not asserted: before the fix it took the tunnel
				// dial's 15s timeout, then exited 1.
				t.Logf("exited %s after %s", time.Since(interrupted), tt.sig)
				require.NoError(t, err, "a signal while starting must exit 0\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
			case <-time.After(60 * time.Second):
				t.Fatalf("proxy did not exit 60s after %s\nstderr: %s", tt.sig, stderr.String())
			}
			t.Logf("stdout: %q\nstderr: %q", stdout.String(), stderr.String())
			assert.NotContains(t, stderr.String(), "error")
			assert.NotContains(t, stdout.String(), "Forwarding", "it never got to listen")
		})
	}
}

// silentServer accepts TCP connections and never answers, like a kubelet
// that hangs.
type silentServer struct {
	ln       net.Listener
	accepted chan struct{} // one value per connection
}

func newSilentServer(t *testing.T) *silentServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &silentServer{ln: ln, accepted: make(chan struct{}, 100)}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case s.accepted <- struct{}{}:
			default:
			}
			defer c.Close() // held open until the test ends
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	return s
}

func (s *silentServer) port() int32 { return int32(s.ln.Addr().(*net.TCPAddr).Port) }

// stuckNode creates a Node kwok does not manage, Ready with InternalIP
// 127.0.0.1 and its kubelet on kubeletPort.
func stuckNode(t *testing.T, env *testenv.Env, name string, kubeletPort int32) {
	t.Helper()
	n, err := env.Kube.CoreV1().Nodes().Create(env.Ctx(), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err)
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue,
		LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}}
	n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}}
	n.Status.DaemonEndpoints.KubeletEndpoint.Port = kubeletPort
	_, err = env.Kube.CoreV1().Nodes().UpdateStatus(env.Ctx(), n, metav1.UpdateOptions{})
	require.NoError(t, err)
}

// readyPodOn creates a gateway pod on a node kwok does not manage and
// writes its status Running and Ready, as a kubelet would.
func readyPodOn(t *testing.T, env *testenv.Env, name, node string) {
	t.Helper()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testenv.IstioNamespace, Labels: testenv.GatewayLabels},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "istio-proxy", Image: "docker.io/istio/proxyv2:1.28.0",
			Ports: []corev1.ContainerPort{{Name: "http2", ContainerPort: 8080}}}}},
	}
	p, err := env.Kube.CoreV1().Pods(testenv.IstioNamespace).Create(env.Ctx(), p, metav1.CreateOptions{})
	require.NoError(t, err)
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}}
	_, err = env.Kube.CoreV1().Pods(testenv.IstioNamespace).UpdateStatus(env.Ctx(), p, metav1.UpdateOptions{})
	require.NoError(t, err)
}
