package portforward

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// PoolOptions says which pods the tunnels go to.
type PoolOptions struct {
	Kube    kube.Kube
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
