package portforward

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"k8s.io/apimachinery/pkg/util/httpstream"
	httpstreamspdy "k8s.io/apimachinery/pkg/util/httpstream/spdy"
	constants "k8s.io/apimachinery/pkg/util/portforward"
	"k8s.io/client-go/rest"
	clientpf "k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/websocket"
)

// wsDialer is client-go's SPDY-over-WebSocket dialer
// (portforward.NewSPDYOverWebsocketDialer, what kubectl port-forward uses)
// with one change: the SPDY connection writes through a frameConn, one
// WebSocket message per SPDY frame instead of one per piece of it. The
// negotiation is client-go's, step for step; a test compares the two.
type wsDialer struct {
	url       *url.URL
	transport http.RoundTripper
	holder    websocket.ConnectionHolder
}

func newWSDialer(u *url.URL, cfg *rest.Config) (*wsDialer, error) {
	transport, holder, err := websocket.RoundTripperFor(cfg)
	if err != nil {
		return nil, err
	}
	return &wsDialer{url: u, transport: transport, holder: holder}, nil
}

// Dial upgrades to WebSocket with the tunneling prefix on each protocol,
// then speaks SPDY over the tunnel, pinging as client-go does.
func (d *wsDialer) Dial(protocols ...string) (httpstream.Connection, string, error) {
	// WebSocket requires GET (RFC 6455 4.1).
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, d.url.String(), nil)
	if err != nil {
		return nil, "", err
	}
	tunneling := make([]string, 0, len(protocols))
	for _, p := range protocols {
		tunneling = append(tunneling, constants.WebsocketsSPDYTunnelingPrefix+p)
	}
	conn, err := websocket.Negotiate(d.transport, d.holder, req, tunneling...)
	if err != nil {
		return nil, "", err
	}
	if conn == nil {
		return nil, "", fmt.Errorf("negotiated websocket connection is nil")
	}
	protocol := strings.TrimPrefix(conn.Subprotocol(), constants.WebsocketsSPDYTunnelingPrefix)
	tunnel := clientpf.NewTunnelingConnection("client", conn)
	spdyConn, err := httpstreamspdy.NewClientConnectionWithPings(newFrameConn(tunnel), clientpf.PingPeriod)
	return spdyConn, protocol, err
}
