package portforward

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// short are the timeouts of these tests: short enough to reach, far below
// the test deadline (long) that catches a hang.
var short = Timeouts{ReadHeader: 200 * time.Millisecond, Idle: 300 * time.Millisecond,
	BodyRead: 200 * time.Millisecond, ResponseHeader: 200 * time.Millisecond}

// hangs is a gateway answer that never comes.
func hangs(net.Conn, *http.Request) {}

// TestTimeouts: a slow or idle client and a silent gateway are let go
// after their timeout, and no connection, the client's or the gateway's,
// outlives it.
func TestTimeouts(t *testing.T) {
	tests := []struct {
		name string
		bad  func(net.Conn, *http.Request) // the gateway's first answer (nil: a good one)
		run  func(t *testing.T, cl *client)
		// gatewayClosed: the gateway connection that misbehaved (or, for a
		// good one, every gateway connection) ends closed.
		gatewayClosed bool
	}{
		{name: "a client sending its head a byte at a time is closed after ReadHeader",
			run: func(t *testing.T, cl *client) {
				head := get("/slow")
				for i := 0; i < len(head); i++ {
					if _, err := io.WriteString(cl.c, head[i:i+1]); err != nil {
						break // closed: what is wanted
					}
					time.Sleep(50 * time.Millisecond) // 20 bytes a second, the head takes ~2.4s
				}
				assert.True(t, cl.closed(), "the slow client's connection is still open")
			}},
		{name: "a client that sends nothing is closed after ReadHeader or Idle",
			run: func(t *testing.T, cl *client) {
				assert.True(t, cl.closed(), "the silent client's connection is still open")
			}},
		{name: "an idle client is closed after Idle, and its gateway connection too",
			run: func(t *testing.T, cl *client) {
				status, _, body, err := cl.do(get("/first"))
				require.NoError(t, err)
				assert.Equal(t, http.StatusOK, status)
				assert.Equal(t, "/first", body)
				assert.True(t, cl.closed(), "the idle client's connection is still open")
			}, gatewayClosed: true},
		{name: "a gateway that never answers gets the client a 504 after ResponseHeader", bad: hangs,
			run: func(t *testing.T, cl *client) {
				status, _, body, err := cl.do(get("/first"))
				require.NoError(t, err)
				assert.Equal(t, http.StatusGatewayTimeout, status)
				assert.Equal(t, "expose-gw proxy: net/http: timeout awaiting response headers\n", body)
			}, gatewayClosed: true},
		{name: "a stalled request body gets a 408 after BodyRead and frees the gateway connection", bad: hangs,
			run: func(t *testing.T, cl *client) {
				_, err := io.WriteString(cl.c, "POST /upload HTTP/1.1\r\nHost: flask.example.com\r\nContent-Length: 10\r\n\r\nab")
				require.NoError(t, err)
				resp, err := http.ReadResponse(cl.br, nil)
				require.NoError(t, err)
				b, _ := io.ReadAll(resp.Body)
				assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
				assert.Equal(t, "expose-gw proxy: the request body sent nothing for 200ms\n", string(b))
				assert.True(t, cl.closed(), "the stalled client's connection is still open")
			}, gatewayClosed: true},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				gw := newRawGateway(t, tt.bad)
				cl := dialClient(t, startMode(t, mode, gw.addr(), short))
				tt.run(t, cl)
				if !tt.gatewayClosed {
					return
				}
				if tt.bad != nil {
					gw.waitBadClosed(t)
					return
				}
				deadline := time.Now().Add(long)
				for gw.open.Load() > 0 && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				assert.Zero(t, gw.open.Load(), "gateway connections still open after the idle timeout")
			})
		}
	}
}

// TestStalledBodyIsOnlyTimedOutWhileItStalls: a body that keeps coming,
// slower than BodyRead in total but never stalled that long, goes through.
func TestStalledBodyIsOnlyTimedOutWhileItStalls(t *testing.T) {
	gw := newRawGateway(t, nil)
	cl := dialClient(t, startMode(t, "direct", gw.addr(), short))
	body := strings.Repeat("x", 10)
	_, err := io.WriteString(cl.c, "POST /upload HTTP/1.1\r\nHost: flask.example.com\r\nContent-Length: 10\r\n\r\n")
	require.NoError(t, err)
	for i := range body {
		time.Sleep(50 * time.Millisecond) // 0.5s in all, 50ms between bytes
		_, err := io.WriteString(cl.c, body[i:i+1])
		require.NoError(t, err)
	}
	resp, err := http.ReadResponse(cl.br, nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "/upload", string(b))
}
