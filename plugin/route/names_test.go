package route

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/util/validation"
)

// TestHostGatewayName: the Gateway of an HTTPS host beside the "*" route
// is a DNS-1123 label (Istio refuses a dotted Gateway name in a
// VirtualService's gateways), one per host, within 63 characters.
func TestHostGatewayName(t *testing.T) {
	def := map[string]string{"istio": "ingressgateway"}
	long := strings.Repeat("a", 60) + ".example.com"
	for _, tt := range []struct{ host, want string }{
		{"notes.example.com", "expose-gw-notes-example-com"},
		{"*.example.com", "expose-gw-any-example-com"},
		{"any.example.com", "expose-gw-x--any-example-com"},
		{"Shop.Example.com", "expose-gw-shop-example-com"},
	} {
		assert.Equal(t, tt.want, HostGatewayName(def, tt.host), tt.host)
	}
	for _, h := range []string{"notes.example.com", long, long + "x", "*.example.com"} {
		assert.Empty(t, validation.IsDNS1123Label(HostGatewayName(def, h)), "%s -> %s", h, HostGatewayName(def, h))
	}
	assert.NotEqual(t, HostGatewayName(def, long), HostGatewayName(def, long+"x"), "two long hosts, two names")
	other := HostGatewayName(map[string]string{"istio": "internal"}, "notes.example.com")
	assert.Equal(t, "expose-gw-istio-internal-notes-example-com", other, "another selector, another Gateway")
}
