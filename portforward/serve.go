package portforward

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Serve proxies the connections of ln to the gateway until ctx ends, then
// closes the listener and the connections, waiting at most a second for
// requests in flight. Plain HTTP/1.1 requests go through the forwarder
// (forward.go); a connection that sends anything else goes to g (g.Next is
// the ReverseProxy when nil).
func Serve(ctx context.Context, ln net.Listener, t Target, g *Guard) error {
	if g.Next == nil {
		g.Next = NewReverseProxy(t, NewTransport(t))
	}
	slow := &http.Server{Handler: g, ReadHeaderTimeout: 30 * time.Second, ErrorLog: discardLogger}
	hl := &handoffListener{addr: ln.Addr(), conns: make(chan net.Conn), done: make(chan struct{})}
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		_ = slow.Serve(hl)
	}()
	f := newForwarder(t, g, hl.give)
	go f.tick(ctx)
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()

	track := &tracker{conns: map[*clientConn]struct{}{}}
	var wg sync.WaitGroup
	var err error
	for delay := time.Duration(0); ; {
		c, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() != nil || errors.Is(aerr, net.ErrClosed) {
				if ctx.Err() == nil {
					err = aerr
				}
				break
			}
			// Out of file descriptors and the like: wait, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		cc := f.newConn(c)
		if !track.add(cc) {
			_ = c.Close()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc.serve(ctx, track)
		}()
	}

	// Shut down: idle connections now, busy ones after their answer or a
	// second, whichever comes first.
	track.shutdown()
	sctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	go func() {
		if slow.Shutdown(sctx) != nil {
			_ = slow.Close()
		}
	}()
	idle := make(chan struct{})
	go func() { wg.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-sctx.Done():
		track.closeAll()
		<-idle
	}
	hl.Close()
	<-slowDone
	return err
}

// tracker knows the forwarder's connections, to close them on shutdown:
// the idle ones at once, the busy ones after their answer.
type tracker struct {
	stopped atomic.Bool
	mu      sync.Mutex
	conns   map[*clientConn]struct{}
}

func (t *tracker) add(cc *clientConn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Load() {
		return false
	}
	t.conns[cc] = struct{}{}
	return true
}

func (t *tracker) remove(cc *clientConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.conns, cc)
}

// idle marks cc as waiting for a request; false when the server is stopping
// and the connection should close instead. (Shutdown sets stopped before it
// looks for idle connections, so one of the two closes it.)
func (t *tracker) idle(cc *clientConn) bool {
	cc.idle.Store(true)
	return !t.stopped.Load()
}

func (t *tracker) busy(cc *clientConn) { cc.idle.Store(false) }

func (t *tracker) closing() bool { return t.stopped.Load() }

// shutdown closes the idle connections; the busy ones close after their
// answer.
func (t *tracker) shutdown() {
	t.stopped.Store(true)
	t.mu.Lock()
	defer t.mu.Unlock()
	for cc := range t.conns {
		if cc.idle.Load() {
			_ = cc.c.Close()
		}
	}
}

func (t *tracker) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for cc := range t.conns {
		cc.kill()
	}
}

// handoffListener feeds net/http the connections the forwarder gives up.
type handoffListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }

// give hands c to net/http; false when it is shutting down.
func (l *handoffListener) give(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}
