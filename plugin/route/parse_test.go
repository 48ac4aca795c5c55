package route

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestParsers(t *testing.T) {
	cases := []struct {
		name    string
		parse   func() (any, error)
		want    any
		wantErr string
	}{
		{"service name", func() (any, error) { return ParseService("flaskapp") }, "flaskapp", ""},
		{"service svc/", func() (any, error) { return ParseService("svc/list") }, "list", ""},
		{"service services/", func() (any, error) { return ParseService("services/a") }, "a", ""},
		{"service other kind", func() (any, error) { return ParseService("deploy/a") }, "", `invalid SERVICE "deploy/a": expected NAME or svc/NAME`},
		{"service bad name", func() (any, error) { return ParseService("Flask_App") }, "",
			`invalid SERVICE "Flask_App": expected NAME or svc/NAME with a Service name (a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?'))`},
		{"prefix", func() (any, error) { return ParsePath("prefix", "/env") }, "/env", ""},
		{"prefix without slash", func() (any, error) { return ParsePath("prefix", "env") }, "", `invalid --prefix "env": expected a path starting with "/"`},
		{"prefix empty", func() (any, error) { return ParsePath("prefix", "") }, "", `invalid --prefix "": expected a path starting with "/"`},
		{"prefix space", func() (any, error) { return ParsePath("exact", "/a b") }, "", `invalid --exact "/a b": expected a path without spaces, control characters, '?' or '#'`},
		{"prefix query", func() (any, error) { return ParsePath("prefix", "/a?b") }, "", `invalid --prefix "/a?b": expected a path without spaces, control characters, '?' or '#'`},
		{"prefix non-ASCII", func() (any, error) { return ParsePath("prefix", "/café") }, "", `invalid --prefix "/café": expected a path of ASCII characters (others written as %XX escapes of their UTF-8 bytes)`},
		{"prefix escaped", func() (any, error) { return ParsePath("prefix", "/caf%C3%A9") }, "/caf%C3%A9", ""},
		{"prefix every allowed character", func() (any, error) { return ParsePath("prefix", "/aZ09-._~!$&'()*+,;=:@/x") }, "/aZ09-._~!$&'()*+,;=:@/x", ""},
		{"prefix bad escape", func() (any, error) { return ParsePath("prefix", "/a%zz") }, "", `invalid --prefix "/a%zz": expected "%" to start an escape of two hex digits (like %20)`},
		{"prefix escape cut short", func() (any, error) { return ParsePath("prefix", "/a%2") }, "", `invalid --prefix "/a%2": expected "%" to start an escape of two hex digits (like %20)`},
		{"prefix escaped slash", func() (any, error) { return ParsePath("prefix", "/a%2Fb") }, "", `invalid --prefix "/a%2Fb": expected a path without an escaped "/" (%2f)`},
		{"prefix escaped slash lower", func() (any, error) { return ParsePath("exact", "/a%2fb") }, "", `invalid --exact "/a%2fb": expected a path without an escaped "/" (%2f)`},
		{"prefix other character", func() (any, error) { return ParsePath("prefix", "/a<b") }, "", `invalid --prefix "/a<b": expected a path of letters, digits, %XX escapes and /-._~!$&'()*+,;=:@ only (not '<')`},
		{"prefix empty segment", func() (any, error) { return ParsePath("prefix", "/a//b") }, "", `invalid --prefix "/a//b": expected a path without empty segments ("//")`},
		{"prefix dot-dot segment", func() (any, error) { return ParsePath("prefix", "/a/../b") }, "", `invalid --prefix "/a/../b": expected a path without "." or ".." segments`},
		{"prefix dot segment", func() (any, error) { return ParsePath("exact", "/a/./b") }, "", `invalid --exact "/a/./b": expected a path without "." or ".." segments`},
		{"prefix ends with dot-dot", func() (any, error) { return ParsePath("rewrite", "/a/..") }, "", `invalid --rewrite "/a/..": expected a path without "." or ".." segments`},
		{"prefix ends with dot", func() (any, error) { return ParsePath("prefix", "/.") }, "", `invalid --prefix "/.": expected a path without "." or ".." segments`},
		{"prefix dots in a name", func() (any, error) { return ParsePath("prefix", "/.well-known/a..b") }, "/.well-known/a..b", ""},
		{"prefix too long", func() (any, error) { return ParsePath("prefix", "/"+strings.Repeat("a", 1024)) }, "",
			`invalid --prefix "/` + strings.Repeat("a", 1024) + `": expected a path of at most 1024 characters (it has 1025)`},
		{"prefix longest", func() (any, error) { return ParsePath("prefix", "/"+strings.Repeat("a", 1023)) }, "/" + strings.Repeat("a", 1023), ""},
		{"host any", func() (any, error) { return ParseHost("*") }, "*", ""},
		{"host wildcard", func() (any, error) { return ParseHost("*.example.com") }, "*.example.com", ""},
		{"host name", func() (any, error) { return ParseHost("flask.example.com") }, "flask.example.com", ""},
		{"host upper", func() (any, error) { return ParseHost("Flask.example.com") }, "", `invalid --host "Flask.example.com": expected a DNS name (like flask.example.com), "*" or "*.domain"`},
		{"host inner star", func() (any, error) { return ParseHost("a.*.com") }, "", `invalid --host "a.*.com": expected a DNS name (like flask.example.com), "*" or "*.domain"`},
		{"host url", func() (any, error) { return ParseHost("http://x") }, "", `invalid --host "http://x": expected a DNS name (like flask.example.com), "*" or "*.domain"`},
		{"host label of 63", func() (any, error) { return ParseHost(strings.Repeat("a", 63) + ".example.com") }, strings.Repeat("a", 63) + ".example.com", ""},
		{"host label of 64", func() (any, error) { return ParseHost(strings.Repeat("a", 64) + ".example.com") }, "",
			`invalid --host "` + strings.Repeat("a", 64) + `.example.com": expected DNS labels of at most 63 characters ("` + strings.Repeat("a", 64) + `" has 64)`},
		{"wildcard host, label of 64", func() (any, error) { return ParseHost("*." + strings.Repeat("b", 64) + ".com") }, "",
			`invalid --host "*.` + strings.Repeat("b", 64) + `.com": expected DNS labels of at most 63 characters ("` + strings.Repeat("b", 64) + `" has 64)`},
		{"host of 253", func() (any, error) { return ParseHost(longHost(253)) }, longHost(253), ""},
		{"host of 254", func() (any, error) { return ParseHost(longHost(254)) }, "",
			`invalid --host "` + longHost(254) + `": expected a DNS name of at most 253 characters (it has 254)`},
		{"host wildcard not first", func() (any, error) { return ParseHost("*a.example.com") }, "", `invalid --host "*a.example.com": expected a DNS name (like flask.example.com), "*" or "*.domain"`},
		{"host two wildcards", func() (any, error) { return ParseHost("*.*.example.com") }, "", `invalid --host "*.*.example.com": expected a DNS name (like flask.example.com), "*" or "*.domain"`},
		{"host empty label", func() (any, error) { return ParseHost("a..example.com") }, "", `invalid --host "a..example.com": expected a DNS name (like flask.example.com), "*" or "*.domain"`},
		{"port number", func() (any, error) { return ParsePort("8080") }, PortRef{Number: 8080}, ""},
		{"port name", func() (any, error) { return ParsePort("http") }, PortRef{Name: "http"}, ""},
		{"port none", func() (any, error) { return ParsePort("") }, PortRef{}, ""},
		{"port zero", func() (any, error) { return ParsePort("0") }, PortRef{}, `invalid --port "0": expected a port number (1-65535) or a port name`},
		{"port too big", func() (any, error) { return ParsePort("70000") }, PortRef{}, `invalid --port "70000": expected a port number (1-65535) or a port name`},
		{"port digits then letters", func() (any, error) { return ParsePort("80x") }, PortRef{}, `invalid --port "80x": expected a port number (1-65535) or a port name`},
		{"port bad name", func() (any, error) { return ParsePort("-http") }, PortRef{}, `invalid --port "-http": expected a port number (1-65535) or a port name`},
		{"selector", func() (any, error) { return ParseSelector("istio=ingressgateway,app=gw") }, map[string]string{"istio": "ingressgateway", "app": "gw"}, ""},
		{"selector no value", func() (any, error) { return ParseSelector("istio") }, map[string]string(nil),
			`invalid --gateway-selector "istio": expected KEY=VALUE[,KEY=VALUE...] with label keys and values`},
		{"selector contradiction", func() (any, error) { return ParseSelector("a=b,a=c") }, map[string]string(nil),
			`invalid --gateway-selector "a=b,a=c": expected KEY=VALUE[,KEY=VALUE...] with label keys and values`},
		{"gateway ref", func() (any, error) { return ParseGatewayRef("gw", "ns") }, ObjectRef{Namespace: "ns", Name: "gw"}, ""},
		{"gateway ref ns", func() (any, error) { return ParseGatewayRef("istio-system/gw", "ns") }, ObjectRef{Namespace: "istio-system", Name: "gw"}, ""},
		{"gateway ref, namespace not known yet", func() (any, error) { return ParseGatewayRef("gw", "") }, ObjectRef{Namespace: "", Name: "gw"}, ""},
		{"gateway ref, empty namespace", func() (any, error) { return ParseGatewayRef("/gw", "") }, ObjectRef{}, `invalid --gateway "/gw": expected [NAMESPACE/]NAME of a Gateway`},
		{"gateway mesh", func() (any, error) { return ParseGatewayRef("mesh", "ns") }, ObjectRef{}, `invalid --gateway "mesh": expected [NAMESPACE/]NAME of a Gateway`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.parse()
			if c.wantErr != "" {
				assert.EqualError(t, err, c.wantErr)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestResolvePort(t *testing.T) {
	svc := func(ports ...corev1.ServicePort) *corev1.Service {
		return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "ns"}, Spec: corev1.ServiceSpec{Ports: ports}}
	}
	http := corev1.ServicePort{Name: "http", Port: 80}
	grpc := corev1.ServicePort{Name: "grpc", Port: 9000}
	cases := []struct {
		name    string
		svc     *corev1.Service
		ref     PortRef
		want    int32
		wantErr string
	}{
		{"only port", svc(http), PortRef{}, 80, ""},
		{"by number", svc(http, grpc), PortRef{Number: 9000}, 9000, ""},
		{"by name", svc(http, grpc), PortRef{Name: "http"}, 80, ""},
		{"ambiguous", svc(http, grpc), PortRef{}, 0, "service ns/app has several ports (http 80, grpc 9000): choose one with --port"},
		{"unknown", svc(http), PortRef{Number: 81}, 0, `invalid --port "81": service ns/app has no such port (it has http 80)`},
		{"none", svc(), PortRef{}, 0, "service ns/app has no port to route to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ResolvePort(c.svc, c.ref)
			if c.wantErr != "" {
				assert.EqualError(t, err, c.wantErr)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestParseMatchesAndHosts(t *testing.T) {
	ms, err := ParseMatches([]string{"/x", "/x"}, []string{"/env", "/"})
	require.NoError(t, err)
	assert.Equal(t, []Match{{Kind: Exact, Path: "/x"}, {Kind: Prefix, Path: "/env"}, {Kind: Prefix, Path: "/"}}, ms, "exact first, each once")
	_, err = ParseMatches(nil, []string{"/ok", "env"})
	assert.EqualError(t, err, `invalid --prefix "env": expected a path starting with "/"`)
	hs, err := ParseHosts([]string{"a.example.com", "*", "a.example.com"})
	require.NoError(t, err)
	assert.Equal(t, []string{"a.example.com", "*"}, hs)
	_, err = ParseHosts([]string{"a.*.com"})
	assert.EqualError(t, err, `invalid --host "a.*.com": expected a DNS name (like flask.example.com), "*" or "*.domain"`)
}

// longHost is a DNS name of n characters, labels of 63 at most.
func longHost(n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strings.Repeat("a", min(63, n-b.Len())))
	}
	return b.String()
}
