package proxy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// TestProxyHostFlag: proxy --host is an HTTP Host (RFC 9110 uri-host) the
// proxy can send as the route host: no control characters, port or
// wildcard.
func TestProxyHostFlag(t *testing.T) {
	const syntax = `: expected an HTTP host: a DNS name, an IPv4 address or an [IPv6] address, e.g. flask.example.com`
	const noPort = `: expected a host name without a port, scheme or wildcard, e.g. flask.example.com`
	tests := []struct {
		host, wantErr string
	}{
		{"flask.example.com", ""},
		{"Flask.Example.COM", ""},
		{"localhost", ""},
		{"10.0.0.1", ""},
		{"[::1]", ""},
		{"[2001:db8::1]", ""},
		{"under_score.example.com", ""}, // a reg-name, as Host allows
		{"a%41b.example.com", ""},
		{"flask.example.com\n", `invalid --host "flask.example.com\n"` + syntax},
		{"a\rb", `invalid --host "a\rb"` + syntax},
		{"a\x00b", `invalid --host "a\x00b"` + syntax},
		{"a b", `invalid --host "a b"` + syntax},
		{"a/b", `invalid --host "a/b"` + syntax},
		{"a@b", `invalid --host "a@b"` + syntax},
		{"a%zzb", `invalid --host "a%zzb"` + syntax},
		{"[::1", `invalid --host "[::1"` + syntax},
		{"[1.2.3.4]", `invalid --host "[1.2.3.4]"` + syntax},
		{"::1", `invalid --host "::1"` + syntax},
		{"http://x", `invalid --host "http://x"` + syntax},
		{"x:80x", `invalid --host "x:80x"` + syntax},
		{":80", `invalid --host ":80"` + syntax},
		{"flask.example.com:31380", `invalid --host "flask.example.com:31380"` + noPort},
		{"[::1]:8080", `invalid --host "[::1]:8080"` + noPort},
		{"x:", `invalid --host "x:"` + noPort},
		{"*.example.com", `invalid --host "*.example.com"` + noPort},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			o := NewProxyOptions(nil, genericiooptions.NewTestIOStreamsDiscard())
			require.NoError(t, o.Complete(nil, nil))
			o.Host = tt.host
			err := o.Validate()
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			assert.NoError(t, err)
		})
	}
}
