package portforward

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"

	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// PoolOptions says which pods the tunnels go to.
type PoolOptions struct {
	Kube    kubernetes.Interface
	Connect ConnectFunc
	// Namespace and Selector find the gateway pods (the gateway Service's).
	Namespace, Selector string
	// Port is the container port to reach on a pod (the Service's targetPort).
	Port func(*corev1.Pod) (int32, error)
	// Size is how many tunnels connections are spread over (default 1).
	Size int
	// Wait bounds how long a request waits for a Ready pod (default 20s).
	Wait time.Duration
	// Logf reports pod changes (nil: silent).
	Logf func(format string, args ...any)
}

// Pool keeps a few port-forward tunnels to one Ready gateway pod and opens
// the proxy's connections as streams over them. It watches the pods: when
// the pod goes away its tunnels are closed (requests in flight fail with the
// reason) and the next connection goes to another Ready pod, waiting for one
// if there is none.
type Pool struct {
	o  PoolOptions
	rr atomic.Uint64

	mu      sync.Mutex
	pods    map[string]*corev1.Pod
	current string // pod name; "" while none is Ready
	port    int32
	changed chan struct{} // closed and replaced when current changes
	tunnels []*tunnel
	slots   []*tunnel
	connMu  []sync.Mutex
	closed  bool
	done    chan struct{} // closed by Close
	cancel  context.CancelFunc
}

// NewPool returns a pool; Start fills it.
func NewPool(o PoolOptions) *Pool {
	if o.Size <= 0 {
		o.Size = 1
	}
	if o.Wait <= 0 {
		o.Wait = 20 * time.Second
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return &Pool{o: o, pods: map[string]*corev1.Pod{}, changed: make(chan struct{}),
		done: make(chan struct{}), slots: make([]*tunnel, o.Size), connMu: make([]sync.Mutex, o.Size)}
}

// Start lists the gateway pods, opens a first tunnel to a Ready one (so
// that a missing right or a broken apiserver shows at once) and starts
// watching the pods until ctx ends or Close.
func (p *Pool) Start(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	rv, err := p.list(ctx)
	if err != nil {
		cancel()
		return err
	}
	if p.Pod() == "" {
		cancel()
		return fmt.Errorf("no Ready gateway pod in namespace %s (selector %s)%s", p.o.Namespace, p.o.Selector, p.skipped())
	}
	t, err := p.tunnel(ctx)
	if err != nil {
		cancel()
		return err
	}
	// A stream that the pod's kubelet never confirms must not hold up Ctrl-C.
	stop := context.AfterFunc(ctx, func() { t.kill(ctx.Err()) })
	c, err := t.dial()
	stop()
	if err != nil {
		cancel()
		return err
	}
	_ = c.Close()
	go p.watch(ctx, rv)
	return nil
}

// Pod is the gateway pod the tunnels go to ("" while none is Ready).
func (p *Pool) Pod() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}

// Port is the container port the tunnels reach on Pod.
func (p *Pool) Port() int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.port
}

// DialContext opens a connection to the gateway pod (addr is ignored).
func (p *Pool) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		t, err := p.tunnel(ctx)
		if err != nil {
			return nil, err
		}
		c, err := t.dial()
		if err == nil {
			return c, nil
		}
		last = err
		t.kill(err)
		p.recheck(ctx, podName(t.pod))
	}
	return nil, last
}

// Close closes every tunnel and stops watching. Requests waiting for a pod
// or a tunnel fail with "the proxy is shutting down".
func (p *Pool) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.done)
		close(p.changed) // wake the waiters
		p.changed = make(chan struct{})
	}
	ts := p.tunnels
	p.tunnels = nil
	p.mu.Unlock()
	if p.cancel != nil {
		p.cancel()
	}
	for _, t := range ts {
		t.kill(errShuttingDown)
	}
}

// tunnel returns an open tunnel to the current pod, round-robin over the
// slots, opening one when the slot is empty or stale.
func (p *Pool) tunnel(ctx context.Context) (*tunnel, error) {
	i := int(p.rr.Add(1) % uint64(len(p.slots)))
	p.connMu[i].Lock()
	defer p.connMu[i].Unlock()
	for attempt := 0; ; attempt++ {
		pod, port, err := p.waitPod(ctx)
		if err != nil {
			return nil, err
		}
		p.mu.Lock()
		t := p.slots[i]
		p.mu.Unlock()
		if t != nil && t.deadReason() == nil && t.pod == p.o.Namespace+"/"+pod {
			return t, nil
		}
		conn, err := p.connect(ctx, pod)
		if err != nil && (ctx.Err() != nil || errors.Is(err, errShuttingDown)) {
			return nil, err
		}
		if err != nil {
			err = fmt.Errorf("port-forward to gateway pod %s/%s: %w", p.o.Namespace, pod, err)
			if attempt >= 2 {
				return nil, err
			}
			p.recheck(ctx, pod)
			continue
		}
		t = newTunnel(p.o.Namespace+"/"+pod, port, conn)
		p.mu.Lock()
		ok := !p.closed && p.current == pod
		if ok {
			p.slots[i] = t
			p.tunnels = append(liveTunnels(p.tunnels), t)
		}
		p.mu.Unlock()
		if ok {
			return t, nil
		}
		t.kill(fmt.Errorf("gateway pod %s/%s went away", p.o.Namespace, pod))
	}
}

// liveTunnels drops the tunnels that died (a broken stream, the apiserver
// closing them) so that a long run does not pile them up.
func liveTunnels(ts []*tunnel) []*tunnel {
	live := ts[:0]
	for _, t := range ts {
		if t.deadReason() == nil {
			live = append(live, t)
		}
	}
	clear(ts[len(live):])
	return live
}

// connect is o.Connect given up when ctx ends (Ctrl-C, a client gone):
// the dial through the apiserver cannot be cancelled, so a connection that
// arrives later is closed.
func (p *Pool) connect(ctx context.Context, pod string) (httpstream.Connection, error) {
	type result struct {
		conn httpstream.Connection
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := p.o.Connect(p.o.Namespace, pod)
		ch <- result{c, err}
	}()
	var err error
	select {
	case r := <-ch:
		return r.conn, r.err
	case <-ctx.Done():
		err = ctx.Err()
	case <-p.done:
		err = errShuttingDown
	}
	go func() {
		if r := <-ch; r.conn != nil {
			_ = r.conn.Close()
		}
	}()
	return nil, err
}

var errShuttingDown = errors.New("the proxy is shutting down")

// waitPod returns the current pod, waiting up to Wait for one.
func (p *Pool) waitPod(ctx context.Context) (string, int32, error) {
	timer := time.NewTimer(p.o.Wait)
	defer timer.Stop()
	for {
		p.mu.Lock()
		cur, port, ch, closed := p.current, p.port, p.changed, p.closed
		p.mu.Unlock()
		if closed {
			return "", 0, errShuttingDown
		}
		if cur != "" {
			return cur, port, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return "", 0, ctx.Err()
		case <-timer.C:
			return "", 0, fmt.Errorf("no Ready gateway pod in namespace %s (selector %s) after waiting %s", p.o.Namespace, p.o.Selector, p.o.Wait)
		}
	}
}

// reconcileLocked keeps the current pod while it is usable, else closes its
// tunnels and picks another Ready pod. p.mu is held.
func (p *Pool) reconcileLocked() {
	if p.closed {
		return
	}
	if p.current != "" {
		if pod, ok := p.pods[p.current]; ok && resolve.PodReady(pod) {
			return
		}
	}
	old := p.current
	why := ""
	if old != "" {
		why = fmt.Sprintf("gateway pod %s/%s was deleted", p.o.Namespace, old)
		if pod, ok := p.pods[old]; ok && pod.DeletionTimestamp == nil {
			why = fmt.Sprintf("gateway pod %s/%s is no longer Ready", p.o.Namespace, old)
		}
		live := p.tunnels[:0]
		for _, t := range p.tunnels {
			if t.pod == p.o.Namespace+"/"+old {
				go t.kill(fmt.Errorf("%s", why))
			} else {
				live = append(live, t)
			}
		}
		p.tunnels = live
	}
	p.current, p.port = "", 0
	for _, name := range sortedNames(p.pods) {
		pod := p.pods[name]
		if !resolve.PodReady(pod) {
			continue
		}
		port, err := p.o.Port(pod)
		if err != nil {
			continue
		}
		p.current, p.port = name, port
		break
	}
	if p.current == old {
		return
	}
	close(p.changed)
	p.changed = make(chan struct{})
	switch {
	case old != "" && p.current != "":
		p.o.Logf("%s; tunnelling to %s/%s port %d now", why, p.o.Namespace, p.current, p.port)
	case old != "":
		p.o.Logf("%s; waiting for a Ready gateway pod", why)
	case p.current != "":
		p.o.Logf("tunnelling to gateway pod %s/%s port %d", p.o.Namespace, p.current, p.port)
	}
}

// skipped says why no pod was chosen, for the start error.
func (p *Pool) skipped() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, name := range sortedNames(p.pods) {
		pod := p.pods[name]
		if !resolve.PodReady(pod) {
			continue
		}
		if _, err := p.o.Port(pod); err != nil {
			return ": " + err.Error()
		}
	}
	return ""
}

func sortedNames(m map[string]*corev1.Pod) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func podName(nsName string) string {
	for i := len(nsName) - 1; i >= 0; i-- {
		if nsName[i] == '/' {
			return nsName[i+1:]
		}
	}
	return nsName
}
