package portforward

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkProxyPath measures a request through the proxy (Serve: net/http,
// the guard and httputil.ReverseProxy) to a local gateway ("proxy"), and the
// same request sent to the gateway directly ("gateway"); client, proxy and
// gateway share the process.
func BenchmarkProxyPath(b *testing.B) {
	body := strings.Repeat("x", 128)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, body)
	}))
	defer gw.Close()
	gwAddr := strings.TrimPrefix(gw.URL, "http://")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	// get sends GET url, to addr when given (a .localhost name, resolved
	// here as a browser would).
	get := func(b *testing.B, url string, addr ...string) {
		c := client
		if len(addr) > 0 {
			c = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256,
				DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, network, addr[0])
				}}}
		}
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := c.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || n != int64(len(body)) {
					b.Fatalf("GET %s: status %d, %d bytes: the proxy path is broken", url, resp.StatusCode, n)
				}
			}
		})
	}
	b.Run("gateway", func(b *testing.B) { get(b, gw.URL+"/env/version") })
	b.Run("proxy", func(b *testing.B) {
		addr := startProxy(b, gwAddr, "flask.example.com")
		get(b, "http://"+addr+"/env/version")
	})
	// proxy --all: the same request by a site's local name, among 20
	// sites (Sites: the Host's site, its rewrites of the answer).
	b.Run("proxy-all", func(b *testing.B) {
		addr := startSites(b, gwAddr, 20)
		_, port, _ := net.SplitHostPort(addr)
		get(b, "http://site7.example.com.localhost:"+port+"/env/version", addr)
	})
}

// startSites serves n sites (siteN.example.com) of one way to gateway,
// as proxy --all does, until b ends; its address.
func startSites(b *testing.B, gateway string, n int) string {
	d := &net.Dialer{}
	t := Target{Dial: func(ctx context.Context, _, _ string) (net.Conn, error) { return d.DialContext(ctx, "tcp", gateway) }}
	tr := NewTransport(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	sites := make([]Site, n)
	for i := range sites {
		sites[i] = Site{Host: fmt.Sprintf("site%d.example.com", i), Target: t, Transport: tr}
	}
	self := SelfNames(ln.Addr())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, Target{}, &Guard{Self: self, Next: NewSites(sites, port, self)}) }()
	b.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}
