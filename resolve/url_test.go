package resolve

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEndpointURL(t *testing.T) {
	tests := []struct {
		ep   Endpoint
		url  string
		host string
	}{
		{Endpoint{Scheme: "http", Host: "9.42.18.65", Port: 80}, "http://9.42.18.65", "9.42.18.65:80"},
		{Endpoint{Scheme: "https", Host: "a.elb.amazonaws.com", Port: 443}, "https://a.elb.amazonaws.com", "a.elb.amazonaws.com:443"},
		{Endpoint{Scheme: "http", Host: "9.42.18.65", Port: 31380}, "http://9.42.18.65:31380", "9.42.18.65:31380"},
		{Endpoint{Scheme: "https", Host: "1.2.3.4", Port: 80}, "https://1.2.3.4:80", "1.2.3.4:80"},
		{Endpoint{Scheme: "http", Host: "fd00::1", Port: 80}, "http://[fd00::1]", "[fd00::1]:80"},
		{Endpoint{Scheme: "tcp", Host: "fd00::1", Port: 31400}, "tcp://[fd00::1]:31400", "[fd00::1]:31400"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.url, tt.ep.URL())
		assert.Equal(t, tt.host, tt.ep.HostPort())
	}
}
