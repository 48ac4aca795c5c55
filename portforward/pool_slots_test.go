package portforward

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/fake"
)

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
