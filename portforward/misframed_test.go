package portforward

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smuggled is a whole answer a misbehaving gateway slips after its real
// one: a proxy that reuses the connection would serve it as the next
// request's answer.
const smuggled = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"

// secondGetsItsOwn sends a second request on the same client connection,
// after the proxy has let go of the gateway connection that misbehaved:
// it gets its own answer or an error, never the smuggled one.
func secondGetsItsOwn(t *testing.T, gw *rawGateway, cl *client) {
	t.Helper()
	gw.waitBadClosed(t)
	status, _, body, err := cl.do(get("/second"))
	assert.NotContains(t, body, "smuggled", "the second request got another request's answer")
	if err == nil {
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, "/second", body, "the second request got another request's answer")
	}
}

// TestBodyWhereNoneBelongs: bytes after an answer that has no body (204,
// 304, HEAD), past a short Content-Length, or a 408 written later on an
// idle connection are not taken for the next request's answer.
func TestBodyWhereNoneBelongs(t *testing.T) {
	tests := []struct {
		name       string
		request    string
		answer     []string
		wantStatus int
		wantBody   string
	}{
		{"204 with a body", get("/first"), []string{"HTTP/1.1 204 No Content\r\n\r\n" + smuggled}, 204, ""},
		{"304 with a body", get("/first"), []string{"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n" + smuggled}, 304, ""},
		{"an answer to HEAD with a body", "HEAD /first HTTP/1.1\r\nHost: flask.example.com\r\n\r\n",
			[]string{"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n" + smuggled}, 200, ""},
		{"a Content-Length shorter than the body", get("/first"),
			[]string{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + smuggled}, 200, "ok"},
		{"a late 408 on the idle connection", get("/first"),
			[]string{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 8\r\n\r\nsmuggled"},
			200, "ok"},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				gw := newRawGateway(t, sends(tt.answer...))
				cl := dialClient(t, startMode(t, mode, gw.addr(), Timeouts{}))
				status, _, body, err := cl.do(tt.request)
				require.NoError(t, err)
				assert.Equal(t, tt.wantStatus, status)
				assert.Equal(t, tt.wantBody, body)
				secondGetsItsOwn(t, gw, cl)
			})
		}
	}
}

// TestBadFraming: an answer framed two ways reaches the client framed one
// way; one framed wrongly is cut off (a closed connection), not relayed
// as it came.
func TestBadFraming(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		// wantBody is the body the client gets, "" for a broken-off answer.
		wantBody string
	}{
		{"Content-Length and Transfer-Encoding: chunked",
			"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + smuggled, "hello"},
		{"Connection: content-length",
			"HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 5\r\n\r\nhello" + smuggled, "hello"},
		{"chunk data without its CRLF",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello" + smuggled, ""},
		{"a chunk size that is not hex",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" + smuggled, ""},
		{"a malformed trailer line",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nnot a trailer\r\n\r\n" + smuggled, ""},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				gw := newRawGateway(t, sends(tt.answer))
				cl := dialClient(t, startMode(t, mode, gw.addr(), Timeouts{}))
				status, header, body, err := cl.do(get("/first"))
				if tt.wantBody != "" {
					require.NoError(t, err)
					assert.Equal(t, 200, status)
					assert.Equal(t, tt.wantBody, body)
					head := strings.ToLower(cl.heads[0])
					framings := strings.Count(head, "\r\ncontent-length:") + strings.Count(head, "\r\ntransfer-encoding:")
					assert.Equal(t, 1, framings, "one framing header on the wire, got:\n%s", cl.heads[0])
					assert.NotContains(t, header.Get("Connection"), "content-length")
				} else {
					// The head may have gone out before the body broke: then
					// the answer is cut off and the connection closed.
					assert.NotContains(t, body, "smuggled")
					if err == nil && status == 200 {
						t.Fatalf("a broken body was relayed as a whole answer: %q", body)
					}
					if err == nil {
						assert.Equal(t, http.StatusBadGateway, status, body)
					}
				}
				secondGetsItsOwn(t, gw, cl)
			})
		}
	}
}
