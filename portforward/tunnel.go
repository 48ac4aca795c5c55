package portforward

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
)

// tunnel is one port-forward connection through the apiserver to one pod;
// every connection to the gateway is a pair of streams on it.
type tunnel struct {
	pod  string // namespace/name
	port int32
	conn httpstream.Connection

	nextID  atomic.Int64
	streams atomic.Int64

	mu     sync.Mutex
	reason error // why it was closed; nil while open
}

func newTunnel(pod string, port int32, conn httpstream.Connection) *tunnel {
	t := &tunnel{pod: pod, port: port, conn: conn}
	go func() {
		<-conn.CloseChan()
		t.kill(fmt.Errorf("the port-forward connection to gateway pod %s closed", pod))
	}()
	return t
}

// dial opens a connection to the pod's port: an error stream and a data
// stream sharing a request id, as kubectl port-forward does.
func (t *tunnel) dial() (*streamConn, error) {
	if err := t.deadReason(); err != nil {
		return nil, err
	}
	id := strconv.FormatInt(t.nextID.Add(1), 10)
	h := http.Header{}
	h.Set(corev1.StreamType, corev1.StreamTypeError)
	h.Set(corev1.PortHeader, strconv.Itoa(int(t.port)))
	h.Set(corev1.PortForwardRequestIDHeader, id)
	errs, err := t.conn.CreateStream(h)
	if err != nil {
		return nil, t.failed(fmt.Errorf("opening a stream to gateway pod %s: %w", t.pod, err))
	}
	_ = errs.Close() // nothing to send on it
	h.Set(corev1.StreamType, corev1.StreamTypeData)
	data, err := t.conn.CreateStream(h)
	if err != nil {
		_ = errs.Reset()
		t.conn.RemoveStreams(errs)
		return nil, t.failed(fmt.Errorf("opening a stream to gateway pod %s: %w", t.pod, err))
	}
	c := &streamConn{t: t, data: data, errs: errs, remoteErr: make(chan string, 1)}
	go readErrorStream(errs, c.remoteErr)
	t.streams.Add(1)
	return c, nil
}

func (t *tunnel) release() { t.streams.Add(-1) }

// failed returns err, preferring the reason the tunnel was killed.
func (t *tunnel) failed(err error) error {
	if r := t.deadReason(); r != nil {
		return r
	}
	return err
}

// kill closes the tunnel; reads and writes on its streams return reason.
func (t *tunnel) kill(reason error) {
	t.mu.Lock()
	first := t.reason == nil
	if first {
		t.reason = reason
	}
	t.mu.Unlock()
	if first {
		_ = t.conn.Close()
	}
}

func (t *tunnel) deadReason() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reason
}
