package envoy

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testdata/config_dump.json is the /config_dump of the test gateway's
// istio-ingressgateway pod (what pilot generated, in Envoy's admin JSON)
// after `kubectl expose-gw flaskapp --prefix /env --host flask.example.com`,
// `... --prefix /api --host shop.example.com --tls-secret shop-cert
// --https-redirect` and `... --exact /exact --host '*.wild.example.com'
// --rewrite /v2`. The walks below are what the test gateway decided for
// the same requests (its X-Istiogw-Decision header).
func TestWalkConfigDump(t *testing.T) {
	b, err := os.ReadFile("testdata/config_dump.json")
	require.NoError(t, err)
	d, err := ParseDump(b)
	require.NoError(t, err)
	require.Len(t, d.Listeners, 2, "8080 and 8443")

	get := func(host, path string) Request {
		return Request{Host: host, Method: "GET", Path: path}
	}
	w := d.Walk(8080, "", get("flask.example.com", "/env/x"))
	require.NotNil(t, w.Route, w.Stop)
	assert.Equal(t, "0.0.0.0_8080", w.Listener)
	assert.Equal(t, "http.8080", w.RouteConfig)
	assert.Equal(t, "flask.example.com:80", w.VirtualHost)
	assert.Equal(t, Origin{Kind: "VirtualService", Namespace: "default", Name: "expose-gw-flask.example.com", Rule: -1, Route: "flaskapp"}, w.Route.Origin)
	require.NotNil(t, w.Route.Forward)
	assert.Equal(t, "flaskapp.default.svc.cluster.local", w.Route.Forward.Backends[0].Host)
	assert.Equal(t, uint32(80), w.Route.Forward.Backends[0].Port)
	assert.Equal(t, "/env/x", UpstreamPath(*w.Route, get("flask.example.com", "/env/x")))

	w = d.Walk(8080, "", get("test.wild.example.com", "/exact"))
	require.NotNil(t, w.Route, w.Stop)
	assert.Equal(t, "*.wild.example.com:80", w.VirtualHost)
	assert.Equal(t, "/v2", UpstreamPath(*w.Route, get("test.wild.example.com", "/exact")), "the exact match rewritten whole")
	assert.Nil(t, d.Walk(8080, "", get("test.wild.example.com", "/exact/more")).Route, "exact")

	w = d.Walk(8080, "", get("shop.example.com", "/api"))
	assert.Nil(t, w.Route)
	assert.Equal(t, "virtual host shop.example.com:80 requires TLS: 301 to https", w.Stop)

	tlsReq := get("shop.example.com", "/api/cart")
	tlsReq.TLS = true
	w = d.Walk(8443, "shop.example.com", tlsReq)
	require.NotNil(t, w.Route, w.Stop)
	assert.Equal(t, "expose-gw-shop.example.com", w.Route.Origin.Name)

	w = d.Walk(8443, "other.example.com", tlsReq)
	assert.Nil(t, w.Route)
	assert.Contains(t, w.Stop, `has no filter chain for SNI "other.example.com": the TLS handshake fails`)

	w = d.Walk(8080, "", get("flask.example.com", "/nothing"))
	assert.Nil(t, w.Route)
	assert.Equal(t, "no route of virtual host flask.example.com:80 matches /nothing: 404", w.Stop)

	w = d.Walk(9090, "", get("flask.example.com", "/env"))
	assert.Equal(t, "no listener on port 9090: connections are refused", w.Stop)
}

func TestParseDumpRefusesOtherJSON(t *testing.T) {
	_, err := ParseDump([]byte(`{"configs": []}`))
	assert.EqualError(t, err, "reading config_dump: no listeners (not an Envoy admin /config_dump?)")
	_, err = ParseDump([]byte(`<html>`))
	assert.ErrorContains(t, err, "reading config_dump: ")
}
