package portforward

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawGateway is a stand-in gateway that answers each request with the
// bytes answer returns, as written, and closes the connection when it says
// so. It counts connections and records the requests.
type rawGateway struct {
	addr   string
	conns  atomic.Int32
	mu     sync.Mutex
	seen   []*http.Request
	bodies []string
}

func newRawGateway(t *testing.T, answer func(r *http.Request) (string, bool)) *rawGateway {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	g := &rawGateway{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			g.conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					r, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					b, _ := io.ReadAll(r.Body)
					g.mu.Lock()
					g.seen, g.bodies = append(g.seen, r), append(g.bodies, string(b))
					g.mu.Unlock()
					out, closeIt := answer(r)
					if _, err := io.WriteString(c, out); err != nil || closeIt {
						return
					}
				}
			}()
		}
	}()
	return g
}

func (g *rawGateway) requests() []*http.Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*http.Request(nil), g.seen...)
}

// exchange writes requests on one connection to addr and reads as many
// responses, with their bodies.
func exchange(t *testing.T, addr string, requests ...string) ([]*http.Response, []string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	br := bufio.NewReader(c)
	var resps []*http.Response
	var bodies []string
	for _, req := range requests {
		method := "GET" // "" reads the answer to a request written before
		if req != "" {
			method = strings.Fields(req)[0]
		}
		_, err := io.WriteString(c, req)
		require.NoError(t, err)
		r, err := http.ReadResponse(br, &http.Request{Method: method})
		for err == nil && r.StatusCode < 200 { // 1xx: the answer follows
			r, err = http.ReadResponse(br, &http.Request{Method: method})
		}
		require.NoError(t, err)
		b, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		resps, bodies = append(resps, r), append(bodies, string(b))
	}
	return resps, bodies
}

// countingGuard serves a proxy whose net/http side counts the requests it
// gets, to tell which path served what.
func countingProxy(t *testing.T, gateway, host string) (string, *atomic.Int32) {
	t.Helper()
	var slow atomic.Int32
	d := &net.Dialer{}
	target := Target{Host: host, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", gateway)
	}}
	rp := NewReverseProxy(target, NewTransport(target))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g := &Guard{Self: SelfNames(ln.Addr()), RouteHost: host, CheckHost: host != "",
		Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			slow.Add(1)
			rp.ServeHTTP(w, r)
		})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, target, g) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return ln.Addr().String(), &slow
}

func TestForwarderFraming(t *testing.T) {
	answers := map[string]string{
		"/length":  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello",
		"/chunked": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n",
		"/hints":   "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"/empty":   "HTTP/1.1 204 No Content\r\nX-B: 2\r\n\r\n",
		"/hop":     "HTTP/1.1 200 OK\r\nConnection: X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=9\r\nContent-Length: 0\r\n\r\n",
		"/head":    "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
		"/big":     "HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n" + strings.Repeat("0123456789", 30000),
	}
	gw := newRawGateway(t, func(r *http.Request) (string, bool) {
		if r.URL.Path == "/close" {
			return "HTTP/1.0 200 OK\r\n\r\nuntil the end", true
		}
		return answers[r.URL.Path], false
	})
	addr, slow := countingProxy(t, gw.addr, "flask.example.com")
	get := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\n\r\n" }

	resps, bodies := exchange(t, addr, get("/length"), get("/chunked"), get("/hints"), get("/empty"), get("/hop"),
		"HEAD /head HTTP/1.1\r\nHost: "+addr+"\r\n\r\n", get("/big"), get("/close"))
	want := []struct {
		status int
		body   string
	}{{200, "hello"}, {200, "hello world"}, {200, "ok"}, {204, ""}, {200, ""}, {200, ""},
		{200, strings.Repeat("0123456789", 30000)}, {200, "until the end"}}
	for i, w := range want {
		assert.Equal(t, w.status, resps[i].StatusCode, i)
		assert.Equal(t, w.body, bodies[i], i)
	}
	assert.Equal(t, "1", resps[0].Header.Get("X-A"))
	assert.Equal(t, "11", resps[1].Trailer.Get("X-Sum"), "trailers pass")
	assert.Equal(t, "2", resps[3].Header.Get("X-B"))
	assert.Empty(t, resps[4].Header.Get("X-Hop"), "a header the gateway's Connection names is hop-by-hop")
	assert.Empty(t, resps[4].Header.Get("Keep-Alive"))
	assert.Equal(t, int64(1000), resps[5].ContentLength, "HEAD keeps the length and has no body")
	assert.True(t, resps[7].Close, "a body that ends with the connection closes the client's too")
	assert.Equal(t, int32(0), slow.Load(), "plain requests are the forwarder's")
	assert.Equal(t, int32(1), gw.conns.Load(), "one kept-alive gateway connection served all eight")
}

func TestForwarderRequests(t *testing.T) {
	gw := newRawGateway(t, func(*http.Request) (string, bool) { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false })
	addr, slow := countingProxy(t, gw.addr, "flask.example.com")

	// Pipelined: both requests in one write.
	_, bodies := exchange(t, addr, "GET /a HTTP/1.1\r\nHost: "+addr+"\r\n\r\nPOST /b?q=1 HTTP/1.1\r\nHost: "+addr+
		"\r\nContent-Length: 3\r\nx-custom: A b\r\nConnection: keep-alive\r\nProxy-Authorization: secret\r\nX-Forwarded-For: 10.0.0.1\r\n\r\nabc", "")
	assert.Equal(t, []string{"ok", "ok"}, bodies)
	seen := gw.requests()
	require.Len(t, seen, 2)
	assert.Equal(t, "GET", seen[0].Method)
	assert.Equal(t, "/a", seen[0].RequestURI)
	assert.Equal(t, "flask.example.com", seen[0].Host)
	assert.Equal(t, "127.0.0.1", seen[0].Header.Get("X-Forwarded-For"))
	assert.Equal(t, "POST", seen[1].Method)
	assert.Equal(t, "/b?q=1", seen[1].RequestURI)
	assert.Equal(t, "abc", gw.bodies[1])
	assert.Equal(t, "A b", seen[1].Header.Get("X-Custom"))
	assert.Equal(t, "10.0.0.1, 127.0.0.1", seen[1].Header.Get("X-Forwarded-For"))
	assert.Equal(t, addr, seen[1].Header.Get("X-Forwarded-Host"))
	assert.Equal(t, "http", seen[1].Header.Get("X-Forwarded-Proto"))
	assert.Empty(t, seen[1].Header.Get("Proxy-Authorization"))
	assert.Empty(t, seen[1].Header.Values("Connection"))
	assert.Equal(t, int32(0), slow.Load())
}

func exchangeOne(t *testing.T, addr, request string) (*http.Response, string) {
	t.Helper()
	resps, bodies := exchange(t, addr, request)
	return resps[0], bodies[0]
}

func TestForwarderHandsOverWhatItDoesNotTake(t *testing.T) {
	gw := echoGateway(t)
	addr, slow := countingProxy(t, strings.TrimPrefix(gw.URL, "http://"), "flask.example.com")
	tests := []struct{ name, request, wantBody string }{
		{"a chunked upload", "POST /up HTTP/1.1\r\nHost: " + addr + "\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", `"Body":"abc"`},
		{"HTTP/1.0", "GET /old HTTP/1.0\r\nHost: " + addr + "\r\n\r\n", `"URI":"/old"`},
		{"Expect: 100-continue", "PUT /e HTTP/1.1\r\nHost: " + addr + "\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi", `"Body":"hi"`},
		{"a body larger than the forwarder's buffer", "POST /large HTTP/1.1\r\nHost: " + addr + "\r\nContent-Length: 40000\r\n\r\n" + strings.Repeat("b", 40000), `"URI":"/large"`},
		{"a head larger than the forwarder's buffer", "GET /cookies HTTP/1.1\r\nHost: " + addr + "\r\nCookie: " + strings.Repeat("c", 40000) + "\r\n\r\n", `"URI":"/cookies"`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := exchangeOne(t, addr, tt.request)
			assert.Equal(t, 200, resp.StatusCode, body)
			assert.Contains(t, body, tt.wantBody)
			assert.Contains(t, body, `"Host":"flask.example.com"`)
			assert.Equal(t, int32(i+1), slow.Load(), "net/http served it")
		})
	}
	t.Run("a connection keeps going after the hand-over", func(t *testing.T) {
		before := slow.Load()
		_, bodies := exchange(t, addr, "GET /fast HTTP/1.1\r\nHost: "+addr+"\r\n\r\n",
			"POST /up HTTP/1.1\r\nHost: "+addr+"\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
			"GET /after HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
		assert.Contains(t, bodies[0], `"URI":"/fast"`)
		assert.Contains(t, bodies[1], `"Body":"hi"`)
		assert.Contains(t, bodies[2], `"URI":"/after"`)
		assert.Equal(t, before+2, slow.Load(), "the forwarder took the first request, net/http the rest")
	})
}

func TestForwarderGatewayFailures(t *testing.T) {
	var calls atomic.Int32
	gw := newRawGateway(t, func(r *http.Request) (string, bool) {
		calls.Add(1)
		switch r.URL.Path {
		case "/two-lengths":
			return "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", true
		case "/cut":
			return "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true
		case "/silent":
			return "", true
		}
		return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false
	})
	addr, _ := countingProxy(t, gw.addr, "flask.example.com")

	resp, body := exchangeOne(t, addr, "GET /two-lengths HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
	assert.Equal(t, 502, resp.StatusCode)
	assert.Equal(t, "expose-gw proxy: malformed response head from the gateway\n", body)

	resp, body = exchangeOne(t, addr, "POST /silent HTTP/1.1\r\nHost: "+addr+"\r\nContent-Length: 0\r\n\r\n")
	assert.Equal(t, 502, resp.StatusCode)
	assert.Equal(t, "expose-gw proxy: the gateway closed the connection without answering\n", body)

	// A body cut short: the client sees the connection end, not a 502
	// pasted after the first bytes.
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, "GET /cut HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	all, err := io.ReadAll(c)
	require.NoError(t, err, "the proxy closes the connection")
	assert.True(t, strings.HasPrefix(string(all), "HTTP/1.1 200 OK\r\n"), string(all))
	assert.True(t, strings.HasSuffix(string(all), "\r\n\r\nabc"), string(all))
}

func TestForwarderReplacesAStaleGatewayConnection(t *testing.T) {
	// The gateway closes each connection after one answer, without saying
	// so: the next request finds the kept connection dead.
	gw := newRawGateway(t, func(r *http.Request) (string, bool) {
		return "HTTP/1.1 200 OK\r\nContent-Length: " + fmt.Sprint(len(r.URL.Path)) + "\r\n\r\n" + r.URL.Path, true
	})
	addr, _ := countingProxy(t, gw.addr, "flask.example.com")
	get := func(p string) string { return "GET " + p + " HTTP/1.1\r\nHost: " + addr + "\r\n\r\n" }
	resps, bodies := exchange(t, addr, get("/1"), get("/2"), get("/3"))
	for i, r := range resps {
		assert.Equal(t, 200, r.StatusCode)
		assert.Equal(t, fmt.Sprintf("/%d", i+1), bodies[i], "a GET is sent again on a new connection")
	}
	// A POST is not sent twice blindly: after a pause the kept connection
	// is checked first and replaced, so the POST arrives once and answers.
	_, bodies = exchange(t, addr, get("/4"))
	require.Equal(t, "/4", bodies[0])
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	br := bufio.NewReader(c)
	_, _ = io.WriteString(c, get("/5"))
	r, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, r.Body)
	time.Sleep((staleAfter + 1) * time.Second) // let the kept connection age past the check
	n := len(gw.requests())
	_, _ = io.WriteString(c, "POST /6 HTTP/1.1\r\nHost: "+addr+"\r\nContent-Length: 1\r\n\r\nx")
	r, err = http.ReadResponse(br, nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(r.Body)
	assert.Equal(t, 200, r.StatusCode, string(b))
	assert.Equal(t, "/6", string(b))
	assert.Len(t, gw.requests(), n+1, "the POST reached the gateway once")
}

func TestForwarderShutdown(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{})
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		_, _ = io.WriteString(w, "done")
	}))
	t.Cleanup(gw.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	d := &net.Dialer{}
	target := Target{Host: "h.example", Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", strings.TrimPrefix(gw.URL, "http://"))
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, target, &Guard{Self: SelfNames(ln.Addr()), RouteHost: "h.example"}) }()

	// An idle kept-alive connection and a request in flight.
	idle, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer idle.Close()
	_, _ = io.WriteString(idle, "GET /x HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
	idleR := bufio.NewReader(idle)
	r, err := http.ReadResponse(idleR, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, r.Body)

	busy, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer busy.Close()
	_, _ = io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the request did not reach the gateway")
	}

	cancel()
	// The idle connection is closed...
	require.NoError(t, idle.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = idleR.ReadByte()
	assert.ErrorIs(t, err, io.EOF)
	// ...the one in flight gets its answer, and Serve returns.
	close(release)
	require.NoError(t, busy.SetReadDeadline(time.Now().Add(5*time.Second)))
	r, err = http.ReadResponse(bufio.NewReader(busy), nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(r.Body)
	assert.Equal(t, "done", string(b))
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}

// fakeStream stands for a port-forward stream: no peeking, only the
// tunnel's fate.
type fakeStream struct {
	net.Conn
	reason error
}

func (f fakeStream) closedReason() error { return f.reason }

func TestStaleGatewayConnections(t *testing.T) {
	alive, peer := net.Pipe()
	t.Cleanup(func() { _ = alive.Close(); _ = peer.Close() })
	tests := []struct {
		name      string
		raw       net.Conn
		used, now int64
		want      bool
	}{
		{"a stream just used", fakeStream{}, 100, 101, false},
		{"a stream idle for less than the limit", fakeStream{}, 100, 100 + streamIdleLimit - 1, false},
		{"a stream idle for the limit", fakeStream{}, 100, 100 + streamIdleLimit, true},
		{"a stream whose tunnel died", fakeStream{reason: fmt.Errorf("gateway pod went away")}, 100, 100, true},
		{"a connection that is not a socket counts as open", alive, 100, 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &gatewayConn{c: tt.raw, raw: tt.raw, br: bufio.NewReader(tt.raw), used: tt.used}
			assert.Equal(t, tt.want, g.stale(tt.now))
		})
	}
}
