package portforward

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
)

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
