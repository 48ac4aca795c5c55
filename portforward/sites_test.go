package portforward

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sitesUnderTest serves sites on a local listener whose every site's
// gateway is one stand-in that answers with handler.
func sitesUnderTest(t *testing.T, hosts []string, handler http.HandlerFunc) (base, port string) {
	t.Helper()
	gw := httptest.NewServer(handler)
	t.Cleanup(gw.Close)
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, gw.Listener.Addr().String())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	var sites []Site
	for _, h := range hosts {
		sites = append(sites, Site{Host: h, Target: Target{Dial: dial}})
	}
	srv := &http.Server{Handler: NewSites(sites, port, SelfNames(ln.Addr()))}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), port
}

// getSite sends a request to the proxy at base with Host host, not following
// redirects.
func getSite(t *testing.T, base, host string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/p", nil)
	require.NoError(t, err)
	req.Host = host
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestSitesChooseTheHostByLocalName: HOST.localhost:PORT is sent to the
// gateway as Host HOST; a wildcard site sends the name asked for; "*" is
// served at localhost with the client's Host; any other Host is 421.
func TestSitesChooseTheHostByLocalName(t *testing.T) {
	base, port := sitesUnderTest(t, []string{"shop.example.com", "*.apps.example.com", "*"}, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Host)
	})
	for _, tt := range []struct{ local, want string }{
		{"shop.example.com.localhost:" + port, "shop.example.com"},
		{"SHOP.Example.com.localhost:" + port, "shop.example.com"},
		{"a.apps.example.com.localhost:" + port, "a.apps.example.com"},
		{"localhost:" + port, "localhost:" + port},
		{"127.0.0.1:" + port, "127.0.0.1:" + port},
	} {
		resp := getSite(t, base, tt.local, nil)
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, 200, resp.StatusCode, tt.local)
		assert.Equal(t, tt.want, string(body), "the Host the gateway got for %s", tt.local)
	}
	for _, bad := range []string{"evil.example:" + port, "home.example.com.localhost:" + port, "apps.example.com.localhost:" + port} {
		resp := getSite(t, base, bad, nil)
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, http.StatusMisdirectedRequest, resp.StatusCode, bad)
		assert.Contains(t, string(body), "http://shop.example.com.localhost:"+port, "the refusal lists the local URLs")
	}
}

// TestSitesRewriteAnswersBackToLocalNames: a Location or a cookie Domain
// naming a site (or a parent of one) points at the .localhost name;
// anything about other hosts is left alone; Origin and Referer go
// upstream as the route host's.
func TestSitesRewriteAnswersBackToLocalNames(t *testing.T) {
	var seen http.Header
	base, port := sitesUnderTest(t, []string{"shop.example.com", "home.example.com"}, func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		w.Header().Set("Location", r.Header.Get("X-Location"))
		for _, c := range r.Header.Values("X-Cookie") {
			w.Header().Add("Set-Cookie", c)
		}
		w.WriteHeader(http.StatusFound)
	})
	local := "shop.example.com.localhost:" + port
	for _, tt := range []struct{ location, want string }{
		{"https://home.example.com/welcome?x=1", "http://home.example.com.localhost:" + port + "/welcome?x=1"},
		{"http://home.example.com:8443/", "http://home.example.com.localhost:" + port + "/"},
		{"//shop.example.com/a", "http://shop.example.com.localhost:" + port + "/a"},
		{"/relative", "/relative"},
		{"https://other.example.org/", "https://other.example.org/"},
		{"ftp://home.example.com/", "ftp://home.example.com/"},
		// The same request under https (an application forcing HTTPS
		// on an http route): back at the proxy it would loop.
		{"https://shop.example.com/p", "https://shop.example.com/p"},
		{"https://shop.example.com/p?x=1", "http://shop.example.com.localhost:" + port + "/p?x=1"},
	} {
		resp := getSite(t, base, local, http.Header{"X-Location": {tt.location}})
		assert.Equal(t, tt.want, resp.Header.Get("Location"), "Location %s", tt.location)
	}
	resp := getSite(t, base, local, http.Header{"X-Location": {"/"}, "X-Cookie": {
		"s=1; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax; Partitioned; Priority=High",
		"t=2; domain=.Home.Example.com",
		"u=3; Domain=example.org",
		"v=4; Path=/",
		"w=5; Domain=com",
	}})
	assert.Equal(t, []string{
		"s=1; Domain=example.com.localhost; Path=/; Secure; HttpOnly; SameSite=Lax; Partitioned; Priority=High",
		"t=2; domain=home.example.com.localhost",
		"u=3; Domain=example.org",
		"v=4; Path=/",
		"w=5; Domain=com", // a public suffix: browsers refuse it, and so its .localhost twin is not made
	}, resp.Header.Values("Set-Cookie"))

	getSite(t, base, local, http.Header{"X-Location": {"/"},
		"Origin":  {"http://home.example.com.localhost:" + port},
		"Referer": {"http://shop.example.com.localhost:" + port + "/cart?id=2"}})
	assert.Equal(t, "http://home.example.com", seen.Get("Origin"))
	assert.Equal(t, "http://shop.example.com/cart?id=2", seen.Get("Referer"))
	getSite(t, base, local, http.Header{"X-Location": {"/"}, "Origin": {"http://evil.example"}})
	assert.Equal(t, "http://evil.example", seen.Get("Origin"), "an Origin that is not a site's stays")
}
