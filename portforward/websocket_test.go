package portforward

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/websocket"
)

// TestWebSocketIsSpliced: an upgrade goes to the gateway with the route
// host and the connection is spliced both ways, directly and over
// port-forward streams; the proxy's timeouts (short here) do not cut it.
func TestWebSocketIsSpliced(t *testing.T) {
	gw := httptest.NewServer(websocket.Handler(func(c *websocket.Conn) {
		var msg string
		for websocket.Message.Receive(c, &msg) == nil {
			_ = websocket.Message.Send(c, "echo "+msg+" via "+c.Request().Host)
		}
	}))
	t.Cleanup(gw.Close)
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			addr := startMode(t, mode, strings.TrimPrefix(gw.URL, "http://"), short)
			ws, err := websocket.Dial("ws://"+addr+"/ws", "", "http://"+addr+"/")
			require.NoError(t, err)
			defer ws.Close()
			for i, m := range []string{"one", "two"} {
				if i > 0 {
					time.Sleep(2 * (short.Idle + short.ReadHeader)) // idle past every timeout
				}
				require.NoError(t, websocket.Message.Send(ws, m))
				var got string
				require.NoError(t, websocket.Message.Receive(ws, &got))
				assert.Equal(t, "echo "+m+" via flask.example.com", got)
			}
		})
	}
}
