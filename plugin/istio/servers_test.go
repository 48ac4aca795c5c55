package istio

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

func TestServerSpecNameInjective(t *testing.T) {
	long := strings.Repeat("a", 60)
	tests := []struct {
		cred, want string
	}{
		{"cert", "https-443-cert"},
		{"secure-cert", "https-443-secure-cert"},
		{"example-com-tls", "https-443-example-com-tls"},
		{"example.com-tls", "https-443-example-com-tls-" + route.ShortHash("example.com-tls")},
		{"example-com.tls", "https-443-example-com-tls-" + route.ShortHash("example-com.tls")},
		{"example.com.tls", "https-443-example-com-tls-" + route.ShortHash("example.com.tls")},
		{long + ".x", ""},
		{long + "-x", ""},
		{long + ".y", ""},
		{"...", ""},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		got := ServerSpec{Port: 443, Protocol: "HTTPS", Credential: tt.cred}.Name()
		if tt.want != "" {
			assert.Equal(t, tt.want, got, tt.cred)
		}
		assert.LessOrEqual(t, len(got), 63, got)
		assert.Regexp(t, dnsLabel, got)
		assert.NotContains(t, seen, got, "credentials %q and %q get one server name", seen[got], tt.cred)
		seen[got] = tt.cred
	}
	assert.Equal(t, "http-80", ServerSpec{Port: 80, Protocol: "HTTP"}.Name())
	assert.Equal(t, "http-80-redirect", ServerSpec{Port: 80, Protocol: "HTTP", HTTPSRedirect: true}.Name())
}

func https(host, cred string) ServerSpec {
	return ServerSpec{Port: 443, Protocol: "HTTPS", Host: host, Credential: cred, Namespace: "default"}
}

// credentials are the credential of each HTTPS server with its hosts.
func credentials(g *networkingv1.Gateway) map[string][]string {
	out := map[string][]string{}
	for _, s := range g.Spec.Servers {
		if s.GetPort().GetProtocol() == "HTTPS" {
			out[s.GetTls().GetCredentialName()] = append(out[s.GetTls().GetCredentialName()], s.Hosts...)
		}
	}
	return out
}

// uniqueNames fails when two servers share a name or a port name (Istio
// rejects the Gateway).
func uniqueNames(t *testing.T, g *networkingv1.Gateway) {
	t.Helper()
	names, ports := map[string]bool{}, map[string]bool{}
	for _, s := range g.Spec.Servers {
		assert.False(t, names[s.Name], "server name %s twice", s.Name)
		assert.False(t, ports[s.Port.Name], "port name %s twice", s.Port.Name)
		names[s.Name], ports[s.Port.Name] = true, true
	}
}

func TestEnsureServersKeepsCredentialsApart(t *testing.T) {
	g := NewGateway(route.ObjectRef{Namespace: "default", Name: "expose-gw"}, defaultSel, []ServerSpec{https("a.example.com", "example.com-tls")})
	assert.True(t, EnsureServers(g, []ServerSpec{https("b.example.com", "example-com-tls")}))
	assert.Equal(t, map[string][]string{"example.com-tls": {"a.example.com"}, "example-com-tls": {"b.example.com"}}, credentials(g))
	uniqueNames(t, g)
	assert.True(t, EnsureServers(g, []ServerSpec{https("c.example.com", "example.com-tls"), https("d.example.com", "example-com-tls")}))
	assert.Equal(t, map[string][]string{"example.com-tls": {"a.example.com", "c.example.com"}, "example-com-tls": {"b.example.com", "d.example.com"}}, credentials(g))
	require.Len(t, g.Spec.Servers, 2)

	// A server the previous version named https-443-example-com-tls for
	// example.com-tls: it is still the one of example.com-tls, and the
	// server of example-com-tls gets a name of its own.
	old := NewGateway(route.ObjectRef{Namespace: "default", Name: "expose-gw"}, defaultSel, []ServerSpec{https("a.example.com", "example.com-tls")})
	old.Spec.Servers[0].Name, old.Spec.Servers[0].Port.Name = "https-443-example-com-tls", "https-443-example-com-tls"
	assert.False(t, EnsureServers(old, []ServerSpec{https("a.example.com", "example.com-tls")}), "recognised as it is")
	assert.True(t, EnsureServers(old, []ServerSpec{https("b.example.com", "example-com-tls"), https("c.example.com", "example.com-tls")}))
	assert.Equal(t, map[string][]string{"example.com-tls": {"a.example.com", "c.example.com"}, "example-com-tls": {"b.example.com"}}, credentials(old))
	require.Len(t, old.Spec.Servers, 2)
	uniqueNames(t, old)
	assert.Regexp(t, dnsLabel, old.Spec.Servers[1].Name)

	// A server of the tool's name whose settings were changed by hand is
	// never given a host of other settings.
	edited := NewGateway(route.ObjectRef{Namespace: "default", Name: "expose-gw"}, defaultSel, []ServerSpec{{Port: 80, Protocol: "HTTP", Host: "a.example.com"}})
	edited.Spec.Servers[0].Tls = &apinet.ServerTLSSettings{HttpsRedirect: true}
	assert.True(t, EnsureServers(edited, []ServerSpec{{Port: 80, Protocol: "HTTP", Host: "b.example.com"}}))
	require.Len(t, edited.Spec.Servers, 2)
	assert.Equal(t, []string{"a.example.com"}, edited.Spec.Servers[0].Hosts)
	assert.Equal(t, []string{"b.example.com"}, edited.Spec.Servers[1].Hosts)
	uniqueNames(t, edited)
}

func TestPlanExposeLookAlikeCredentials(t *testing.T) {
	tls := func(host, cred string) *route.Expose {
		e := expose("flaskapp", []string{host}, pre("/"))
		e.TLSSecret = cred
		return e
	}
	cs, err := PlanExpose(tls("a.example.com", "example.com-tls"), State{})
	require.NoError(t, err)
	gw := GatewayOf(cs[0])
	cs, err = PlanExpose(tls("b.example.com", "example-com-tls"), State{Gateways: []*networkingv1.Gateway{gw}})
	require.NoError(t, err)
	assert.Equal(t, []string{"configured gateway/expose-gw", "created virtualservice/expose-gw-b.example.com"}, summary(cs))
	assert.Equal(t, map[string][]string{"example.com-tls": {"a.example.com"}, "example-com-tls": {"b.example.com"}}, credentials(GatewayOf(cs[0])))
	uniqueNames(t, GatewayOf(cs[0]))

	// A Gateway the previous version wrote, server names and all, is
	// recognised: nothing to write.
	old := GatewayOf(cs[0]).DeepCopy()
	for _, s := range old.Spec.Servers {
		if s.Port.Protocol == "HTTPS" {
			s.Name, s.Port.Name = "https-443-"+route.Slug(s.Tls.CredentialName), "https-443-"+route.Slug(s.Tls.CredentialName)
		}
	}
	old.Spec.Servers = old.Spec.Servers[:3] // http-80 and a.example.com's HTTPS server
	cs, err = PlanExpose(tls("a.example.com", "example.com-tls"), State{Gateways: []*networkingv1.Gateway{old}})
	require.NoError(t, err)
	assert.Equal(t, []string{"unchanged gateway/expose-gw", "created virtualservice/expose-gw-a.example.com"}, summary(cs))
}
