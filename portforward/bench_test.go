package portforward

import (
	"io"
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
}
