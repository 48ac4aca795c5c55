package portforward

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
)

// rawGateway is a gateway that misbehaves on purpose: a TCP listener whose
// first request (over all its connections) gets bad, the bytes it is
// given; every other request gets a good answer whose body is its path.
// After the bad answer the connection is only read until the proxy closes
// it, which badClosed reports.
type rawGateway struct {
	ln        net.Listener
	bad       func(c net.Conn, req *http.Request)
	badClosed chan struct{}
	requests  atomic.Int64
	open      atomic.Int64 // connections the proxy has not closed yet
	wg        sync.WaitGroup
}

// sends returns a bad answer that writes the given parts, one write each.
func sends(parts ...string) func(net.Conn, *http.Request) {
	return func(c net.Conn, _ *http.Request) {
		for i, p := range parts {
			if i > 0 {
				time.Sleep(20 * time.Millisecond) // a separate packet, "late"
			}
			if _, err := io.WriteString(c, p); err != nil {
				return
			}
		}
	}
}

func newRawGateway(t *testing.T, bad func(net.Conn, *http.Request)) *rawGateway {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g := &rawGateway{ln: ln, bad: bad, badClosed: make(chan struct{})}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			g.open.Add(1)
			g.wg.Add(1)
			go func() {
				defer g.wg.Done()
				defer g.open.Add(-1)
				defer c.Close()
				g.serve(c)
			}()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return g
}

func (g *rawGateway) addr() string { return g.ln.Addr().String() }

func (g *rawGateway) serve(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		if g.requests.Add(1) == 1 && g.bad != nil {
			g.bad(c, req)
			_, _ = io.Copy(io.Discard, br) // until the proxy closes it
			close(g.badClosed)
			return
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(req.URL.Path), req.URL.Path)
	}
}

// waitBadClosed fails unless the proxy closes the connection that got the
// bad answer.
func (g *rawGateway) waitBadClosed(t *testing.T) {
	t.Helper()
	// Half the client's deadline: the checks that follow still get to run.
	select {
	case <-g.badClosed:
	case <-time.After(long / 2):
		t.Errorf("the gateway connection that got the bad answer is still open after %s", long/2)
	}
}

// modes are the two ways the proxy reaches the gateway.
var modes = []string{"direct", "port-forward"}

// startMode serves a proxy for flask.example.com to the gateway at gw,
// dialled directly or through a pool of fake port-forward tunnels whose
// streams reach gw.
func startMode(t *testing.T, mode, gw string, to Timeouts) string {
	t.Helper()
	target := Target{Host: "flask.example.com", Timeouts: to}
	switch mode {
	case "direct":
		d := &net.Dialer{}
		target.Dial = func(ctx context.Context, _, _ string) (net.Conn, error) { return d.DialContext(ctx, "tcp", gw) }
	case "port-forward":
		p := NewPool(PoolOptions{Kube: kubelib.Kube(fake.NewClientset(gwPod("a"))), Namespace: testNS, Selector: testSelector,
			Port: http2Port, Connect: func(string, string) (httpstream.Connection, error) {
				c := newFakeConn("a")
				c.gateway = gw
				return c, nil
			}})
		require.NoError(t, p.Start(context.Background()))
		t.Cleanup(p.Close)
		target.Dial = p.DialContext
	default:
		t.Fatalf("no mode %q", mode)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, target, &Guard{Self: SelfNames(ln.Addr()), RouteHost: target.Host}) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return ln.Addr().String()
}

// client is one kept-alive connection to the proxy; heads records the
// response heads as they came on the wire.
type client struct {
	c     net.Conn
	br    *bufio.Reader
	wire  bytes.Buffer // every byte read from c
	heads []string
}

func dialClient(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	// No test waits that long: a hang fails instead of blocking the run.
	require.NoError(t, c.SetDeadline(time.Now().Add(long)))
	cl := &client{c: c}
	cl.br = bufio.NewReader(io.TeeReader(c, &cl.wire))
	return cl
}

// consumed is how many bytes of the wire the reader has handed out.
func (cl *client) consumed() int { return cl.wire.Len() - cl.br.Buffered() }

// do sends raw (a whole request, as written) and reads one answer; an error
// is a connection the proxy closed (or broke off).
func (cl *client) do(raw string) (status int, header http.Header, body string, err error) {
	if _, err := io.WriteString(cl.c, raw); err != nil {
		return 0, nil, "", err
	}
	method, _, _ := strings.Cut(raw, " ")
	start := cl.consumed()
	resp, err := http.ReadResponse(cl.br, &http.Request{Method: method})
	if err != nil {
		return 0, nil, "", err
	}
	cl.heads = append(cl.heads, string(cl.wire.Bytes()[start:cl.consumed()]))
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header, string(b), err
}

// closed is true when the proxy has closed the connection (a read finds
// EOF or a reset), false when the test deadline passes first.
func (cl *client) closed() bool {
	_, err := io.Copy(io.Discard, cl.br)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func get(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: flask.example.com\r\n\r\n"
}
