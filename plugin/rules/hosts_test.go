package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Cases from istio.io's Gateway reference (Server.hosts): "a dnsName in
// FQDN format, optionally prefixed with a wildcard in the left-most
// component (e.g., prod/*.example.com). Set the dnsName to * to select all
// VirtualService hosts from the specified namespace (e.g., prod/*). The
// namespace can be set to * or ., representing any or the current
// namespace, respectively. For example, */foo.example.com selects the
// service from any available namespace while ./foo.example.com only
// selects the service from the namespace of the sidecar. The default, if
// no namespace/ is specified, is */".
func TestServerHostAdmits(t *testing.T) {
	cases := []struct {
		name              string
		entry, host, vsNS string
		want              bool
	}{
		{"prod/*.example.com takes a prod host below example.com", "prod/*.example.com", "shop.example.com", "prod", true},
		{"prod/*.example.com refuses the same host from dev", "prod/*.example.com", "shop.example.com", "dev", false},
		{"prod/* takes every host from prod", "prod/*", "anything.io", "prod", true},
		{"prod/* refuses other namespaces", "prod/*", "anything.io", "dev", false},
		{"*/foo.example.com: any namespace", "*/foo.example.com", "foo.example.com", "dev", true},
		{"./foo.example.com: the Gateway's namespace", "./foo.example.com", "foo.example.com", "istio-system", true},
		{"./foo.example.com refuses other namespaces", "./foo.example.com", "foo.example.com", "prod", false},
		{"no namespace/ is */", "foo.example.com", "foo.example.com", "prod", true},
		{"a wildcard does not take the bare domain", "*.example.com", "example.com", "prod", false},
		{"a wildcard takes a narrower wildcard", "*.example.com", "*.shop.example.com", "prod", true},
		{"a host does not take the wildcard over it", "shop.example.com", "*.example.com", "prod", false},
		{"* takes *", "*", "*", "prod", true},
		{"hosts compare without case", "Foo.Example.com", "foo.example.COM", "prod", true},
		{"another host", "foo.example.com", "bar.example.com", "prod", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, ServerHostAdmits(c.entry, c.host, c.vsNS, "istio-system"))
		})
	}
}

// VirtualService hosts and server hosts overlap when either covers the
// other; the virtual host is named after the narrower ("*" joining a
// server of secure.example.com serves secure.example.com).
func TestVirtualHostNames(t *testing.T) {
	cases := []struct {
		name    string
		entries []string
		vsNS, h string
		want    []string
	}{
		{"* joins a named server under its name", []string{"secure.example.com"}, "app", "*", []string{"secure.example.com"}},
		{"a name joins a * server under its own", []string{"*"}, "app", "shop.example.com", []string{"shop.example.com"}},
		{"a wildcard VirtualService host joins a wildcard server", []string{"*.example.com"}, "app", "*.shop.example.com", []string{"*.shop.example.com"}},
		{"several entries, one name each, lower-cased", []string{"A.example.com", "b.example.com", "c.other.io"}, "app", "*.EXAMPLE.com", []string{"a.example.com", "b.example.com"}},
		{"namespace part refuses", []string{"prod/*"}, "app", "shop.example.com", nil},
		{"no overlap", []string{"shop.example.com"}, "app", "web.example.com", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, VirtualHostNames(c.entries, "istio-system", c.vsNS, c.h))
		})
	}
}

func TestHostHeader(t *testing.T) {
	for in, want := range map[string]string{"*": "", "": "", "flask.example.com": "flask.example.com", "*.example.com": "test.example.com"} {
		assert.Equal(t, want, HostHeader(in), in)
		if want != "" {
			assert.True(t, HostCovers(in, want), "%s is a name of %s", want, in)
		}
	}
}
