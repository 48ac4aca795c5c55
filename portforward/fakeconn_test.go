package portforward

import (
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
)

// fakeConn is a port-forward connection whose data streams reach a tiny
// gateway: it writes its id on a line, then echoes.
type fakeConn struct {
	id   string
	fail error         // CreateStream fails with it
	hang chan struct{} // when set, CreateStream closes it and blocks until Close
	// gateway, when set, is a TCP address the data streams are spliced to
	// (instead of the id-and-echo gateway).
	gateway string

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
	} else if c.gateway != "" {
		go splice(remote, c.gateway)
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

// splice connects a stream's far end to a TCP gateway, as the kubelet does,
// closing both when either side is done.
func splice(remote net.Conn, gateway string) {
	defer remote.Close()
	gw, err := net.Dial("tcp", gateway)
	if err != nil {
		return
	}
	defer gw.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(gw, remote); done <- struct{}{} }()
	go func() { _, _ = io.Copy(remote, gw); done <- struct{}{} }()
	<-done
}
