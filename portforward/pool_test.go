package portforward

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// These tests cover the pool's own logic with a fake clientset and fake
// port-forward connections; test/proxy runs it against a real apiserver
// and kwok.

const (
	testNS       = "istio-system"
	testSelector = "istio=ingressgateway"
	long         = 30 * time.Second // generous bound for what must happen at once
)

type podOpt func(*corev1.Pod)

var (
	notReady = func(p *corev1.Pod) { p.Status.Conditions[0].Status = corev1.ConditionFalse }
	pending  = func(p *corev1.Pod) { p.Status.Phase = corev1.PodPending }
	deleting = func(p *corev1.Pod) { now := metav1.Now(); p.DeletionTimestamp = &now }
	noPort   = func(p *corev1.Pod) { p.Spec.Containers[0].Ports = nil }
	port9090 = func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 9090 }
)

// gwPod is a Running, Ready gateway pod with container port http2 8080.
func gwPod(name string, opts ...podOpt) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNS, Labels: map[string]string{"istio": "ingressgateway"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "istio-proxy",
			Ports: []corev1.ContainerPort{{Name: "http2", ContainerPort: 8080}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

// http2Port resolves the container port named http2, as the plugin does
// for a named targetPort.
func http2Port(p *corev1.Pod) (int32, error) {
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == "http2" {
				return cp.ContainerPort, nil
			}
		}
	}
	return 0, fmt.Errorf("pod %s has no container port named %q", p.Name, "http2")
}

// logs collects the pool's Logf lines.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logs) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func newTestPool(kube *fake.Clientset, connect ConnectFunc, wait time.Duration) (*Pool, *logs) {
	l := &logs{}
	if kube == nil {
		kube = fake.NewClientset()
	}
	return NewPool(PoolOptions{Kube: kube, Connect: connect, Namespace: testNS, Selector: testSelector,
		Port: http2Port, Wait: wait, Logf: l.logf}), l
}

func closed[T any](ch <-chan T) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// within waits for a value from ch, failing after a generous bound.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(long):
		t.Fatalf("no %s after %s", what, long)
		var zero T
		return zero
	}
}

func TestReconcileChoosesPod(t *testing.T) {
	tests := []struct {
		name     string
		current  string
		pods     []*corev1.Pod
		want     string
		wantPort int32
		wantLogs []string
	}{
		{name: "no pod", want: ""},
		{name: "the first Ready pod in name order", pods: []*corev1.Pod{gwPod("c"), gwPod("b"), gwPod("d")},
			want: "b", wantPort: 8080, wantLogs: []string{"tunnelling to gateway pod istio-system/b port 8080"}},
		{name: "not Ready, not Running and deleting pods are skipped",
			pods: []*corev1.Pod{gwPod("a", notReady), gwPod("b", pending), gwPod("c", deleting), gwPod("d", port9090)},
			want: "d", wantPort: 9090, wantLogs: []string{"tunnelling to gateway pod istio-system/d port 9090"}},
		{name: "a pod without the container port is skipped", pods: []*corev1.Pod{gwPod("a", noPort), gwPod("b")},
			want: "b", wantPort: 8080, wantLogs: []string{"tunnelling to gateway pod istio-system/b port 8080"}},
		{name: "only unusable pods", pods: []*corev1.Pod{gwPod("a", noPort), gwPod("b", notReady)}, want: ""},
		{name: "the current pod is kept while it stays Ready", current: "c",
			pods: []*corev1.Pod{gwPod("a"), gwPod("b"), gwPod("c")}, want: "c", wantPort: 8080},
		{name: "the current pod is no longer Ready", current: "a", pods: []*corev1.Pod{gwPod("a", notReady), gwPod("b")},
			want: "b", wantPort: 8080,
			wantLogs: []string{"gateway pod istio-system/a is no longer Ready; tunnelling to istio-system/b port 8080 now"}},
		{name: "the current pod is being deleted", current: "a", pods: []*corev1.Pod{gwPod("a", deleting), gwPod("b")},
			want: "b", wantPort: 8080,
			wantLogs: []string{"gateway pod istio-system/a was deleted; tunnelling to istio-system/b port 8080 now"}},
		{name: "the current pod is gone", current: "a", pods: []*corev1.Pod{gwPod("b")},
			want: "b", wantPort: 8080,
			wantLogs: []string{"gateway pod istio-system/a was deleted; tunnelling to istio-system/b port 8080 now"}},
		{name: "the current pod is gone and no other is Ready", current: "a", pods: []*corev1.Pod{gwPod("b", notReady)},
			want: "", wantLogs: []string{"gateway pod istio-system/a was deleted; waiting for a Ready gateway pod"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, l := newTestPool(nil, nil, 0)
			for _, pod := range tt.pods {
				p.pods[pod.Name] = pod
			}
			if tt.current != "" {
				p.current, p.port = tt.current, 8080
			}
			changed := p.changed
			p.mu.Lock()
			p.reconcileLocked()
			p.mu.Unlock()
			assert.Equal(t, tt.want, p.Pod())
			assert.Equal(t, tt.wantPort, p.Port())
			assert.Equal(t, tt.wantLogs, l.all())
			assert.Equal(t, tt.want != tt.current, closed(changed), "waiters are woken exactly when the pod changes")
		})
	}
}

func TestReconcileClosesOnlyTheOldPodsTunnels(t *testing.T) {
	p, _ := newTestPool(nil, nil, 0)
	p.pods["b"] = gwPod("b")
	p.current, p.port = "a", 8080
	toA, toB := newFakeConn("a"), newFakeConn("b")
	ta, tb := newTunnel(testNS+"/a", 8080, toA), newTunnel(testNS+"/b", 8080, toB)
	p.tunnels = []*tunnel{ta, tb}

	p.mu.Lock()
	p.reconcileLocked() // a is gone
	p.mu.Unlock()

	within(t, toA.CloseChan(), "close of the tunnel to the deleted pod")
	assert.EqualError(t, ta.deadReason(), "gateway pod istio-system/a was deleted")
	assert.Equal(t, []*tunnel{tb}, p.tunnels)
	assert.NoError(t, tb.deadReason())
	assert.False(t, closed(toB.CloseChan()))
}

func TestWaitPodGivesUpAfterWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { // the bubble's fake clock: no real wait
		p, _ := newTestPool(nil, nil, 20*time.Second)
		p.pods["a"] = gwPod("a", notReady)
		_, _, err := p.waitPod(context.Background())
		require.EqualError(t, err, "no Ready gateway pod in namespace istio-system (selector istio=ingressgateway) after waiting 20s")
	})
}

func TestWaitPodReturnsTheNextReadyPod(t *testing.T) {
	p, _ := newTestPool(nil, nil, time.Hour)
	got := make(chan string, 1)
	go func() {
		pod, port, err := p.waitPod(context.Background())
		got <- fmt.Sprint(pod, " ", port, " ", err)
	}()
	p.mu.Lock()
	p.pods["b"] = gwPod("b")
	p.reconcileLocked()
	p.mu.Unlock()
	assert.Equal(t, "b 8080 <nil>", within(t, got, "pod"))
}

// TestCloseFailsWaiters: requests waiting for a Ready pod (in waitPod) or
// for a tunnel to open (in Connect) fail at once with the reason when the
// proxy shuts down. synctest.Wait makes sure they are blocked before Close.
func TestCloseFailsWaiters(t *testing.T) {
	t.Run("waiting for a Ready pod", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p, _ := newTestPool(nil, nil, time.Hour)
			var err error
			go func() { _, err = p.DialContext(context.Background(), "tcp", "") }()
			synctest.Wait()
			require.NoError(t, err, "still waiting")
			p.Close()
			synctest.Wait()
			assert.EqualError(t, err, "the proxy is shutting down")
		})
	})
	t.Run("waiting for the tunnel to open", func(t *testing.T) {
		entered, release := make(chan struct{}), make(chan struct{})
		late := newFakeConn("a")
		p, _ := newTestPool(nil, func(_, pod string) (httpstream.Connection, error) {
			close(entered)
			<-release // an apiserver that does not upgrade yet
			return late, nil
		}, time.Hour)
		p.pods["a"] = gwPod("a")
		p.mu.Lock()
		p.reconcileLocked()
		p.mu.Unlock()
		errs := make(chan error, 1)
		go func() {
			_, err := p.DialContext(context.Background(), "tcp", "")
			errs <- err
		}()
		within(t, entered, "port-forward dial")
		p.Close()
		assert.EqualError(t, within(t, errs, "error"), "the proxy is shutting down")
		close(release)
		within(t, late.CloseChan(), "close of the tunnel that opened after Close")
	})
}

func TestDialContextRetriesOnADeadTunnel(t *testing.T) {
	tests := []struct {
		name      string
		listed    []*corev1.Pod // what the pool knows
		inAPI     []*corev1.Pod // what the recheck finds after a failure
		broken    []string      // tunnels (pod#dial) refusing streams from the start
		wantDials []string
		want      string // the id the gateway sends first, or the error
	}{
		{name: "a tunnel to a pod still Ready is opened again",
			listed: []*corev1.Pod{gwPod("a")}, inAPI: []*corev1.Pod{gwPod("a")},
			wantDials: []string{"a", "a"}, want: "a#2"},
		{name: "a pod found gone on recheck is left for the next Ready one",
			listed: []*corev1.Pod{gwPod("a"), gwPod("b")}, inAPI: []*corev1.Pod{gwPod("b")},
			wantDials: []string{"a", "b"}, want: "b#2"},
		{name: "a pod found not Ready on recheck is left for the next Ready one",
			listed: []*corev1.Pod{gwPod("a"), gwPod("b")}, inAPI: []*corev1.Pod{gwPod("a", notReady), gwPod("b")},
			wantDials: []string{"a", "b"}, want: "b#2"},
		{name: "three failures give the last reason",
			listed: []*corev1.Pod{gwPod("a")}, inAPI: []*corev1.Pod{gwPod("a")}, broken: []string{"a#2", "a#3"},
			wantDials: []string{"a", "a", "a"}, want: "opening a stream to gateway pod istio-system/a: stream refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var objs []runtime.Object
			for _, pod := range tt.inAPI {
				objs = append(objs, pod)
			}
			var dials []string
			conns := map[string]*fakeConn{}
			p, _ := newTestPool(fake.NewClientset(objs...), func(_, pod string) (httpstream.Connection, error) {
				dials = append(dials, pod) // DialContext holds the slot's lock
				id := fmt.Sprintf("%s#%d", pod, len(dials))
				c := newFakeConn(id)
				if slices.Contains(tt.broken, id) {
					c.fail = errors.New("stream refused")
				}
				conns[id] = c
				return c, nil
			}, time.Hour)
			for _, pod := range tt.listed {
				p.pods[pod.Name] = pod
			}
			p.mu.Lock()
			p.reconcileLocked()
			p.mu.Unlock()
			defer p.Close()

			c, err := p.DialContext(context.Background(), "tcp", "")
			require.NoError(t, err)
			assert.Equal(t, "a#1\n", firstLine(t, c))
			require.NoError(t, c.Close())
			// The tunnel breaks silently: the pool learns it on the next dial.
			conns["a#1"].fail = errors.New("stream refused")

			c, err = p.DialContext(context.Background(), "tcp", "")
			if err != nil {
				assert.EqualError(t, err, tt.want)
			} else {
				assert.Equal(t, tt.want+"\n", firstLine(t, c))
				require.NoError(t, c.Close())
			}
			assert.Equal(t, tt.wantDials, dials)
			assert.True(t, closed(conns["a#1"].CloseChan()), "the broken tunnel is closed")
			p.mu.Lock()
			assert.Len(t, p.tunnels, 1, "dead tunnels are not kept")
			p.mu.Unlock()
		})
	}
}

func firstLine(t *testing.T, c net.Conn) string {
	t.Helper()
	line, err := bufio.NewReader(c).ReadString('\n')
	require.NoError(t, err)
	return line
}

func TestStartRefusesWithoutAReadyPod(t *testing.T) {
	tests := []struct {
		name string
		pods []runtime.Object
		want string
	}{
		{"no pod", nil, "no Ready gateway pod in namespace istio-system (selector istio=ingressgateway)"},
		{"none Ready", []runtime.Object{gwPod("a", notReady)},
			"no Ready gateway pod in namespace istio-system (selector istio=ingressgateway)"},
		{"Ready without the port", []runtime.Object{gwPod("a", noPort)},
			`no Ready gateway pod in namespace istio-system (selector istio=ingressgateway): pod a has no container port named "http2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := newTestPool(fake.NewClientset(tt.pods...), func(string, string) (httpstream.Connection, error) {
				t.Fatal("no pod to connect to")
				return nil, nil
			}, time.Hour)
			assert.EqualError(t, p.Start(context.Background()), tt.want)
		})
	}
}

func TestStartIsCancelledWhileTheTunnelOpens(t *testing.T) {
	t.Run("the apiserver does not upgrade", func(t *testing.T) {
		entered, release := make(chan struct{}), make(chan struct{})
		late := newFakeConn("a")
		p, _ := newTestPool(fake.NewClientset(gwPod("a")), func(string, string) (httpstream.Connection, error) {
			close(entered)
			<-release
			return late, nil
		}, time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		errs := make(chan error, 1)
		go func() { errs <- p.Start(ctx) }()
		within(t, entered, "port-forward dial")
		cancel()
		assert.ErrorIs(t, within(t, errs, "Start's error"), context.Canceled)
		close(release)
		within(t, late.CloseChan(), "close of the tunnel that opened after Ctrl-C")
	})
	t.Run("the kubelet does not confirm the stream", func(t *testing.T) {
		c := newFakeConn("a")
		c.hang = make(chan struct{})
		p, _ := newTestPool(fake.NewClientset(gwPod("a")), func(string, string) (httpstream.Connection, error) {
			return c, nil
		}, time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		errs := make(chan error, 1)
		go func() { errs <- p.Start(ctx) }()
		within(t, c.hang, "stream creation")
		cancel()
		assert.ErrorIs(t, within(t, errs, "Start's error"), context.Canceled)
	})
}

func TestStartFollowsThePods(t *testing.T) {
	kube := fake.NewClientset(gwPod("a"), gwPod("b"))
	w := watch.NewFake()
	kube.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(w, nil))
	p, l := newTestPool(kube, func(_, pod string) (httpstream.Connection, error) {
		return newFakeConn(pod), nil
	}, time.Hour)
	require.NoError(t, p.Start(context.Background()))
	defer p.Close()
	assert.Equal(t, "a", p.Pod())

	// The watch's channel is unbuffered: once a second event is taken, the
	// first one has been applied.
	sync := func() { w.Action(watch.Bookmark, gwPod("bookmark")) }
	w.Modify(gwPod("a", notReady))
	sync()
	assert.Equal(t, "b", p.Pod())
	w.Delete(gwPod("b"))
	sync()
	assert.Equal(t, "", p.Pod())

	got := make(chan string, 1)
	go func() {
		c, err := p.DialContext(context.Background(), "tcp", "")
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		line, _ := bufio.NewReader(c).ReadString('\n')
		got <- line
	}()
	w.Add(gwPod("c", port9090))
	assert.Equal(t, "c\n", within(t, got, "connection to the new pod"))
	assert.Equal(t, int32(9090), p.Port())
	assert.Equal(t, []string{
		"tunnelling to gateway pod istio-system/a port 8080",
		"gateway pod istio-system/a is no longer Ready; tunnelling to istio-system/b port 8080 now",
		"gateway pod istio-system/b was deleted; waiting for a Ready gateway pod",
		"tunnelling to gateway pod istio-system/c port 9090",
	}, l.all())
}

// fakeConn is a port-forward connection whose data streams reach a tiny
// gateway: it writes its id on a line, then echoes.
type fakeConn struct {
	id   string
	fail error         // CreateStream fails with it
	hang chan struct{} // when set, CreateStream closes it and blocks until Close

	once   sync.Once
	closed chan bool
	mu     sync.Mutex
	ends   []net.Conn
}

func newFakeConn(id string) *fakeConn { return &fakeConn{id: id, closed: make(chan bool)} }

func (c *fakeConn) CreateStream(h http.Header) (httpstream.Stream, error) {
	if c.hang != nil {
		close(c.hang)
		<-c.closed
		return nil, errors.New("connection closed")
	}
	if c.fail != nil {
		return nil, c.fail
	}
	if closed(c.closed) {
		return nil, errors.New("connection closed")
	}
	local, remote := net.Pipe()
	c.mu.Lock()
	c.ends = append(c.ends, local, remote)
	c.mu.Unlock()
	if h.Get(corev1.StreamType) == corev1.StreamTypeError {
		_ = remote.Close() // all went well: nothing to say
	} else {
		go func() {
			if _, err := io.WriteString(remote, c.id+"\n"); err == nil {
				_, _ = io.Copy(remote, remote)
			}
			_ = remote.Close()
		}()
	}
	return &pipeStream{Conn: local, h: h.Clone()}, nil
}

func (c *fakeConn) Close() error {
	c.once.Do(func() {
		close(c.closed)
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, e := range c.ends {
			_ = e.Close()
		}
	})
	return nil
}

func (c *fakeConn) CloseChan() <-chan bool             { return c.closed }
func (c *fakeConn) SetIdleTimeout(time.Duration)       {}
func (c *fakeConn) RemoveStreams(...httpstream.Stream) {}

type pipeStream struct {
	net.Conn
	h http.Header
}

func (s *pipeStream) Reset() error         { return s.Conn.Close() }
func (s *pipeStream) Headers() http.Header { return s.h }
func (s *pipeStream) Identifier() uint32   { return 0 }
