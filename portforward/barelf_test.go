package portforward

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBareLFHeads: heads with bare LF line endings, from the client or from
// the gateway, do not hang (the client's connection has a deadline far
// beyond any timeout here) and do not mix answers up: net/http may accept
// or refuse them, and the next request gets its own answer or an error.
func TestBareLFHeads(t *testing.T) {
	lf := func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
	tests := []struct {
		name    string
		request string   // the client's first request
		answer  []string // the gateway's answer to the first request it gets (nil: a good one)
		// want are the statuses the first request may get.
		want []int
	}{
		{name: "a request head with bare LF", request: lf(get("/first")), want: []int{200, 400}},
		{name: "a request head with bare LF after its first line",
			request: "GET /first HTTP/1.1\r\nHost: flask.example.com\n\n", want: []int{200, 400}},
		{name: "a request head ending in a bare LF",
			request: "GET /first HTTP/1.1\r\nHost: flask.example.com\r\n\n", want: []int{200, 400}},
		{name: "a response head with bare LF", request: get("/first"),
			answer: []string{lf("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n") + "/first!!" + smuggled},
			want:   []int{200, 502}},
		{name: "a response head ending in a bare LF", request: get("/first"),
			answer: []string{"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\n/first!!" + smuggled},
			want:   []int{200, 502}},
		{name: "a chunked answer with bare LF chunk lines", request: get("/first"),
			answer: []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\n/first!!\n0\n\n" + smuggled},
			want:   []int{200, 502}},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				var gw *rawGateway
				if tt.answer != nil {
					gw = newRawGateway(t, sends(tt.answer...))
				} else {
					gw = newRawGateway(t, nil)
				}
				cl := dialClient(t, startMode(t, mode, gw.addr(), Timeouts{}))
				status, _, body, err := cl.do(tt.request)
				assert.NotContains(t, body, "smuggled")
				if err != nil {
					assert.True(t, cl.closed(), "the proxy neither answered nor closed the connection")
					return
				}
				assert.Contains(t, tt.want, status, body)
				if status == http.StatusOK {
					assert.Contains(t, body, "/first")
				}
				if tt.answer != nil {
					secondGetsItsOwn(t, gw, cl)
					return
				}
				status, _, body, err = cl.do(get("/second"))
				if err == nil {
					assert.Equal(t, http.StatusOK, status)
					assert.Equal(t, "/second", body)
				} else {
					require.True(t, cl.closed())
				}
			})
		}
	}
}
