package portforward

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkProxyPath measures a request through the proxy to a local
// gateway: the forwarder that serves plain requests ("proxy"), the
// net/http + httputil.ReverseProxy path that serves the rest
// ("reverseproxy"), and the same request sent to the gateway directly.
func BenchmarkProxyPath(b *testing.B) {
	body := strings.Repeat("x", 128)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, body)
	}))
	defer gw.Close()
	gwAddr := strings.TrimPrefix(gw.URL, "http://")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	get := func(b *testing.B, url string) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := client.Get(url)
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
	b.Run("reverseproxy", func(b *testing.B) {
		d := &net.Dialer{}
		target := Target{Host: "flask.example.com", Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "tcp", gwAddr)
		}}
		rp := httptest.NewUnstartedServer(nil)
		rp.Config.Handler = &Guard{Self: []string{strings.TrimPrefix(rp.URL, "http://")}, RouteHost: "flask.example.com",
			Next: NewReverseProxy(target, NewTransport(target))}
		rp.Start()
		defer rp.Close()
		get(b, rp.URL+"/env/version")
	})
}
