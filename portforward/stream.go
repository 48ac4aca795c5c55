package portforward

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
)

// streamConn is one TCP connection to the gateway pod carried by a pair of
// port-forward streams (data and error) of a tunnel. It is a net.Conn for
// http.Transport; deadlines are not supported, and nothing depends on them:
// the transport and ReverseProxy bound their waits with timers
// (ResponseHeaderTimeout, IdleConnTimeout, the request's context) and close
// the connection, and the server's deadlines are on the client's TCP
// connection, never on a stream.
type streamConn struct {
	t          *tunnel
	data, errs httpstream.Stream
	remoteErr  chan string // what the kubelet wrote on the error stream
	closeOnce  sync.Once
}

func (c *streamConn) Read(p []byte) (int, error) {
	n, err := c.data.Read(p)
	if err == nil {
		return n, nil
	}
	if reason := c.t.deadReason(); reason != nil {
		return n, reason
	}
	if errors.Is(err, io.EOF) {
		if msg := c.remoteError(); msg != "" {
			return n, fmt.Errorf("port-forward to pod %s port %d: %s", c.t.pod, c.t.port, msg)
		}
	}
	return n, err
}

// remoteError waits briefly for the error stream, which the kubelet closes
// right after the data stream, and returns its message.
func (c *streamConn) remoteError() string {
	select {
	case msg := <-c.remoteErr:
		c.remoteErr <- msg // keep it for later readers
		return msg
	case <-time.After(time.Second):
		return ""
	}
}

func (c *streamConn) Write(p []byte) (int, error) {
	n, err := c.data.Write(p)
	if err != nil {
		if reason := c.t.deadReason(); reason != nil {
			return n, reason
		}
	}
	return n, err
}

func (c *streamConn) Close() error {
	c.closeOnce.Do(func() {
		_ = c.data.Reset()
		_ = c.errs.Reset()
		c.t.conn.RemoveStreams(c.data, c.errs)
		c.t.release()
	})
	return nil
}

func (c *streamConn) LocalAddr() net.Addr  { return tunnelAddr("local") }
func (c *streamConn) RemoteAddr() net.Addr { return tunnelAddr(c.t.pod) }

func (c *streamConn) SetDeadline(time.Time) error      { return nil }
func (c *streamConn) SetReadDeadline(time.Time) error  { return nil }
func (c *streamConn) SetWriteDeadline(time.Time) error { return nil }

type tunnelAddr string

func (a tunnelAddr) Network() string { return "portforward" }
func (a tunnelAddr) String() string  { return string(a) }

// readErrorStream reads the error stream to its end and hands its message
// (empty when all went well) to ch.
func readErrorStream(s httpstream.Stream, ch chan<- string) {
	b, _ := io.ReadAll(s) // a broken error stream says nothing more than the data stream
	ch <- strings.TrimSpace(string(b))
}
