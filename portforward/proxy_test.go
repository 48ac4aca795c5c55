package portforward

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seen is what the stand-in gateway received.
type seen struct {
	Method, Host, URI, Body string
	Header                  http.Header
}

func echoGateway(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_ = json.NewEncoder(w).Encode(seen{Method: r.Method, Host: r.Host, URI: r.RequestURI, Body: string(b), Header: r.Header})
	}))
	t.Cleanup(s.Close)
	return s
}

// startProxy serves a proxy to gateway with host on a local port.
func startProxy(t testing.TB, gateway string, host string) string {
	t.Helper()
	d := &net.Dialer{}
	target := Target{Host: host, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", gateway)
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g := &Guard{Self: SelfNames(ln.Addr()), RouteHost: host, CheckHost: host != ""}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, target, g) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return ln.Addr().String()
}

func TestRewrite(t *testing.T) {
	gw := echoGateway(t)
	gwAddr := strings.TrimPrefix(gw.URL, "http://")
	tests := []struct {
		name       string
		routeHost  string
		method     string
		uri        string
		clientHost string // "" = the proxy's address
		header     http.Header
		body       string
		want       seen
	}{
		{name: "route host replaces the client's, path and query pass unchanged",
			routeHost: "flask.example.com", method: "GET", uri: "/env/version?x=1&y=%2F",
			want: seen{Method: "GET", Host: "flask.example.com", URI: "/env/version?x=1&y=%2F"}},
		{name: "method, body and headers pass",
			routeHost: "flask.example.com", method: "POST", uri: "/api", body: "hello",
			header: http.Header{"X-Custom": {"a"}, "Accept-Encoding": {"br"}},
			want:   seen{Method: "POST", Host: "flask.example.com", URI: "/api", Body: "hello"}},
		{name: "a route for * keeps the client's Host, port and all",
			routeHost: "", method: "GET", uri: "/", clientHost: "anything.test:8080",
			want: seen{Method: "GET", Host: "anything.test:8080", URI: "/"}},
		{name: "an escaped path is not re-encoded",
			routeHost: "h.example", method: "DELETE", uri: "/a%2Fb/c",
			want: seen{Method: "DELETE", Host: "h.example", URI: "/a%2Fb/c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startProxy(t, gwAddr, tt.routeHost)
			req, err := http.NewRequest(tt.method, "http://"+addr+tt.uri, strings.NewReader(tt.body))
			require.NoError(t, err)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			req.Header.Set("X-Forwarded-For", "10.1.1.1")
			if tt.clientHost != "" {
				req.Host = tt.clientHost
			}
			resp, err := http.DefaultTransport.(*http.Transport).Clone().RoundTrip(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			var got seen
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
			assert.Equal(t, tt.want.Method, got.Method)
			assert.Equal(t, tt.want.Host, got.Host)
			assert.Equal(t, tt.want.URI, got.URI)
			assert.Equal(t, tt.want.Body, got.Body)
			for k, v := range tt.header {
				assert.Equal(t, v, got.Header[k], k)
			}
			assert.Equal(t, "10.1.1.1, 127.0.0.1", got.Header.Get("X-Forwarded-For"))
			assert.Equal(t, "http", got.Header.Get("X-Forwarded-Proto"))
			wantXFH := addr
			if tt.clientHost != "" {
				wantXFH = tt.clientHost
			}
			assert.Equal(t, wantXFH, got.Header.Get("X-Forwarded-Host"))
		})
	}
}

// raw sends a request line and headers as written and returns the status
// and body.
func raw(t *testing.T, addr, request string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, request)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestGuard(t *testing.T) {
	gw := echoGateway(t)
	addr := startProxy(t, strings.TrimPrefix(gw.URL, "http://"), "flask.example.com")
	_, port, _ := net.SplitHostPort(addr)
	tests := []struct {
		name, request string
		status        int
		body          string
	}{
		{"an upgrade to h2c is refused", "GET /x HTTP/1.1\r\nHost: " + addr + "\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n",
			400, "expose-gw proxy: Upgrade: h2c is refused: HTTP/2 would bypass the proxy's Host checks, send HTTP/1.1 requests without it\n"},
		{"h2c among other protocols is refused", "GET /x HTTP/1.1\r\nHost: " + addr + "\r\nConnection: Upgrade\r\nUpgrade: foo/2, H2C\r\n\r\n",
			400, "expose-gw proxy: Upgrade: h2c is refused: HTTP/2 would bypass the proxy's Host checks, send HTTP/1.1 requests without it\n"},
		{"the HTTP/2 preface is refused", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
			505, "expose-gw proxy: HTTP/2 (prior knowledge) is refused: send HTTP/1.1 requests\n"},
		{"CONNECT is refused", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
			405, "expose-gw proxy: CONNECT is refused: this is not an open proxy, send plain requests to the proxy's address\n"},
		{"absolute-form for another host is refused", "GET http://other.example.org/x HTTP/1.1\r\nHost: other.example.org\r\n\r\n",
			403, "expose-gw proxy: absolute-form request for \"other.example.org\" is refused: this is not an open proxy, it only reaches the ingress gateway\n"},
		{"absolute-form for the route host goes to the gateway", "GET http://flask.example.com/x HTTP/1.1\r\nHost: flask.example.com\r\n\r\n",
			200, ""},
		{"absolute-form for the proxy itself goes to the gateway", "GET http://" + addr + "/x HTTP/1.1\r\nHost: " + addr + "\r\n\r\n",
			200, ""},
		{"localhost is the proxy too", "GET /x HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n", 200, ""},
		{"another Host header is refused (DNS rebinding)", "GET /x HTTP/1.1\r\nHost: evil.example:" + port + "\r\n\r\n",
			421, "expose-gw proxy: Host \"evil.example:" + port + "\" is refused: use the address the proxy printed (" + addr + " or localhost:" + port + ")\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := raw(t, addr, tt.request)
			assert.Equal(t, tt.status, status, body)
			if tt.status != 200 {
				assert.Equal(t, tt.body, body)
			} else {
				assert.Contains(t, body, `"Host":"flask.example.com","URI":"/x"`)
			}
		})
	}
}

func TestGatewayDownIs502WithOneLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := ln.Addr().String()
	require.NoError(t, ln.Close())
	addr := startProxy(t, dead, "flask.example.com")
	resp, err := http.Get("http://" + addr + "/env")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Regexp(t, `^expose-gw proxy: dial tcp 127\.0\.0\.1:\d+: connect: connection refused\n$`, string(b))
}

func TestStreamedResponseArrivesAsItIsWritten(t *testing.T) {
	next := make(chan struct{})
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			<-next // the next event only once the client has read this one
		}
	}))
	t.Cleanup(gw.Close)
	addr := startProxy(t, strings.TrimPrefix(gw.URL, "http://"), "flask.example.com")
	resp, err := http.Get("http://" + addr + "/events")
	require.NoError(t, err)
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	for i := 0; i < 3; i++ {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("data: %d\n", i), line)
		_, _ = r.ReadString('\n')
		next <- struct{}{}
	}
}
