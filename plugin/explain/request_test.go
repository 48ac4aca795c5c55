package explain

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRequest(t *testing.T) {
	in, err := ParseRequest("https://Shop.Example.com:8443/a%2Fb/c?x=1&y", "", "POST", []string{"X-Team: a", "x-empty:"})
	require.NoError(t, err)
	assert.Equal(t, "https", in.Scheme)
	assert.Equal(t, "Shop.Example.com", in.Host)
	assert.Equal(t, "Shop.Example.com:8443", in.Authority, "the Host header as sent, port included")
	assert.Equal(t, 8443, in.Port)
	assert.Equal(t, "/a%2Fb/c", in.Path, "the path as sent, escapes kept")
	assert.Equal(t, "x=1&y", in.Query)
	assert.Equal(t, http.Header{"X-Team": {"a"}, "X-Empty": {""}}, in.Header)

	in, err = ParseRequest("http://10.0.0.1:31380", "shop.example.com", "GET", nil)
	require.NoError(t, err)
	assert.Equal(t, "shop.example.com", in.Host, "--host is the Host header")
	assert.Equal(t, "shop.example.com", in.Authority)
	assert.Equal(t, "/", in.Path)
	assert.Equal(t, 31380, in.Port)

	in, err = ParseRequest("https://shop.example.com/", "", "GET", nil)
	require.NoError(t, err)
	assert.Equal(t, 443, in.Port)

	for _, c := range []struct{ url, host, method, header, want string }{
		{"shop.example.com/x", "", "GET", "", `URL "shop.example.com/x": expected http[s]://HOST[:PORT]/PATH[?QUERY]`},
		{"http:///x", "", "GET", "", `URL "http:///x": expected http[s]://HOST[:PORT]/PATH[?QUERY]`},
		{"http://h:0/", "", "GET", "", `URL "http://h:0/": port "0": expected a number from 1 to 65535`},
		{"http://h/", "*.example.com", "GET", "", `--host "*.example.com": expected a host name, as the Host header sends it`},
		{"http://h/", "", "", "", `-X "": expected an HTTP method, e.g. GET or POST`},
		{"http://h/", "", "GET", "bad header: x", `-H "bad header: x": expected 'Name: value'`},
	} {
		var hs []string
		if c.header != "" {
			hs = []string{c.header}
		}
		_, err := ParseRequest(c.url, c.host, c.method, hs)
		assert.EqualError(t, err, c.want, c.url)
	}
}
