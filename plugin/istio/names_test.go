package istio

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// userGatewayIn is a Gateway of the user in ns with one HTTP server on
// port 80 named "http" with these host entries (maybe "ns/host").
func userGatewayIn(ns, name string, entries ...string) *networkingv1.Gateway {
	g := NewGateway(route.ObjectRef{Namespace: ns, Name: name}, defaultSel, nil)
	g.Labels = nil
	g.Spec.Servers = []*apinet.Server{{Name: "http", Port: &apinet.Port{Number: 80, Protocol: "HTTP", Name: "http"}, Hosts: entries}}
	return g
}

func TestServerHostAdmits(t *testing.T) {
	tests := []struct {
		entry, host, vsNS, gwNS string
		want                    bool
	}{
		{"*", "a.example.com", "default", "istio-system", true},
		{"*/*", "a.example.com", "default", "istio-system", true},
		{"istio-system/*", "a.example.com", "default", "istio-system", false},
		{"istio-system/*", "a.example.com", "istio-system", "istio-system", true},
		{"default/*", "a.example.com", "default", "istio-system", true},
		{"./*", "a.example.com", "default", "istio-system", false},
		{"./*", "a.example.com", "default", "default", true},
		{"default/*.example.com", "a.example.com", "default", "istio-system", true},
		{"default/*.example.com", "a.example.org", "default", "istio-system", false},
		{"team-a/a.example.com", "a.example.com", "team-b", "team-a", false},
		{"*/a.example.com", "a.example.com", "team-b", "team-a", true},
		{"a.example.com", "b.example.com", "default", "default", false},
	}
	for _, tt := range tests {
		t.Run(tt.entry+" "+tt.host+" from "+tt.vsNS, func(t *testing.T) {
			assert.Equal(t, tt.want, rules.ServerHostAdmits(tt.entry, tt.host, tt.vsNS, tt.gwNS))
		})
	}
	// ServerHostServes stays namespace-blind: any namespace part admits.
	assert.True(t, rules.ServerHostServes("istio-system/*", "a.example.com"))
}

func TestGatewayServesNamespaces(t *testing.T) {
	g := userGatewayIn("istio-system", "shared", "istio-system/*")
	spec := func(ns string) []ServerSpec {
		return []ServerSpec{{Port: 80, Protocol: "HTTP", Host: "*", Namespace: ns}}
	}
	assert.False(t, GatewayServes(g, defaultSel, spec("default")), "istio-system/* admits no VirtualService of default")
	assert.True(t, GatewayServes(g, defaultSel, spec("istio-system")))
	assert.True(t, GatewayServes(g, defaultSel, spec("")), "no namespace: the Gateway's own")
	assert.True(t, GatewayServes(userGatewayIn("istio-system", "shared", "*/*"), defaultSel, spec("default")))
	assert.True(t, GatewayServes(userGatewayIn("istio-system", "shared", "istio-system/*", "default/*"), defaultSel, spec("default")))
}

func TestPlanExposeServerHostNamespaces(t *testing.T) {
	withGateway := func(ref string, force bool) *route.Expose {
		e := expose("flaskapp", []string{"*"}, pre("/env"))
		r, err := route.ParseGatewayRef(ref, "default")
		if err != nil {
			panic(err)
		}
		e.Gateway, e.Force = &r, force
		return e
	}
	cases := []struct {
		name    string
		req     *route.Expose
		gws     []*networkingv1.Gateway
		want    []string
		wantErr string
		check   func(t *testing.T, cs []route.Change)
	}{
		{name: "a user's gateway of the namespace for istio-system/* is not reused",
			req:  expose("flaskapp", []string{"*"}, pre("/env")),
			gws:  []*networkingv1.Gateway{userGatewayIn("default", "theirs", "istio-system/*")},
			want: []string{"created gateway/expose-gw", "created virtualservice/expose-gw-any"}},
		{name: "a user's gateway for default/* is reused",
			req:  expose("flaskapp", []string{"*"}, pre("/env")),
			gws:  []*networkingv1.Gateway{userGatewayIn("default", "mine", "default/*")},
			want: []string{"unchanged gateway/mine", "created virtualservice/" + route.VirtualServiceName("*", route.ObjectRef{Namespace: "default", Name: "mine"}, "default")}},
		{name: "a user's gateway for ./* is reused by its namespace",
			req:  expose("flaskapp", []string{"*"}, pre("/env")),
			gws:  []*networkingv1.Gateway{userGatewayIn("default", "mine", "./*")},
			want: []string{"unchanged gateway/mine", "created virtualservice/" + route.VirtualServiceName("*", route.ObjectRef{Namespace: "default", Name: "mine"}, "default")}},
		{name: "--gateway of another namespace for istio-system/* is refused",
			req:     withGateway("istio-system/shared", false),
			gws:     []*networkingv1.Gateway{userGatewayIn("istio-system", "shared", "istio-system/*")},
			wantErr: `gateway istio-system/shared has server host "istio-system/*" (port 80), which admits only VirtualServices of namespace istio-system, not default: it needs a host entry admitting namespace default, such as "*/*" or "default/*"; add one to the gateway, name another with --gateway, or add --force to add a server for it`},
		{name: "--gateway of another namespace for ./* is refused",
			req:     withGateway("istio-system/shared", false),
			gws:     []*networkingv1.Gateway{userGatewayIn("istio-system", "shared", "./*.example.com", "./*")},
			wantErr: `gateway istio-system/shared has server host "./*" (port 80), which admits only VirtualServices of namespace istio-system, not default: it needs a host entry admitting namespace default, such as "*/*" or "default/*"; add one to the gateway, name another with --gateway, or add --force to add a server for it`},
		{name: "a user's gateway of the tool's name for istio-system/* is refused, naming the host",
			req:     expose("flaskapp", []string{"a.example.com"}, pre("/env")),
			gws:     []*networkingv1.Gateway{userGatewayIn("default", "expose-gw", "istio-system/*.example.com")},
			wantErr: `gateway default/expose-gw has server host "istio-system/*.example.com" (port 80), which admits only VirtualServices of namespace istio-system, not default: it needs a host entry admitting namespace default, such as "*/*.example.com" or "default/*.example.com"; add one to the gateway, name another with --gateway, or add --force to add a server for it`},
		{name: "--gateway of another namespace for */* is reused",
			req:  withGateway("istio-system/shared", false),
			gws:  []*networkingv1.Gateway{userGatewayIn("istio-system", "shared", "*/*")},
			want: []string{"unchanged gateway/shared", "created virtualservice/" + route.VirtualServiceName("*", route.ObjectRef{Namespace: "istio-system", Name: "shared"}, "default")},
			check: func(t *testing.T, cs []route.Change) {
				assert.Equal(t, []string{"istio-system/shared"}, VirtualServiceOf(cs[1]).Spec.Gateways)
			}},
		{name: "--gateway of another namespace for default/* is reused",
			req:  withGateway("istio-system/shared", false),
			gws:  []*networkingv1.Gateway{userGatewayIn("istio-system", "shared", "istio-system/*", "default/*")},
			want: []string{"unchanged gateway/shared", "created virtualservice/" + route.VirtualServiceName("*", route.ObjectRef{Namespace: "istio-system", Name: "shared"}, "default")}},
		{name: "--force adds a server admitting the namespace",
			req:  withGateway("istio-system/shared", true),
			gws:  []*networkingv1.Gateway{userGatewayIn("istio-system", "shared", "istio-system/*")},
			want: []string{"configured gateway/shared", "created virtualservice/" + route.VirtualServiceName("*", route.ObjectRef{Namespace: "istio-system", Name: "shared"}, "default")},
			check: func(t *testing.T, cs []route.Change) {
				s := GatewayOf(cs[0]).Spec.Servers
				require.Len(t, s, 2)
				assert.Equal(t, []string{"istio-system/*"}, s[0].Hosts)
				assert.Equal(t, "http-80", s[1].Name)
				assert.Equal(t, []string{"*"}, s[1].Hosts)
			}},
		{name: "the tool's gateway with an entry for another namespace gets the host",
			req: expose("flaskapp", []string{"*"}, pre("/env")),
			gws: []*networkingv1.Gateway{func() *networkingv1.Gateway {
				g := gateway("expose-gw", true, "*")
				g.Spec.Servers[0].Hosts = []string{"team-a/*"}
				return g
			}()},
			want: []string{"configured gateway/expose-gw", "created virtualservice/expose-gw-any"},
			check: func(t *testing.T, cs []route.Change) {
				assert.Equal(t, []string{"team-a/*", "*"}, GatewayOf(cs[0]).Spec.Servers[0].Hosts)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs, err := PlanExpose(c.req, State{Gateways: c.gws})
			if c.wantErr != "" {
				assert.EqualError(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, summary(cs))
			if c.check != nil {
				c.check(t, cs)
			}
		})
	}
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func TestVirtualServiceNameInjective(t *testing.T) {
	def := route.ObjectRef{Namespace: "default", Name: "expose-gw"}
	x := route.ObjectRef{Namespace: "default", Name: "x"}
	shared := route.ObjectRef{Namespace: "istio-system", Name: "shared"}
	tests := []struct {
		host string
		gw   route.ObjectRef
		want string
	}{
		{"a.com-x", def, "expose-gw-a.com-x"},
		{"a.com", x, "expose-gw-a.com-x-" + route.ShortHash("a.com\x00default/x")},
		{"a.com-x", x, ""},
		{"a.com", route.ObjectRef{Namespace: "default", Name: "x-x"}, ""},
		{"a.com-x", route.ObjectRef{Namespace: "default", Name: "x-x"}, ""},
		{"a.com", route.ObjectRef{Namespace: "default", Name: "x-x-x"}, ""},
		{"*", shared, "expose-gw-any-istio-system-shared-" + route.ShortHash("*\x00istio-system/shared")},
		{"any-istio-system-shared", def, ""},
		{"*", route.ObjectRef{Namespace: "istio", Name: "system-shared"}, ""},
		{"*", route.ObjectRef{Namespace: "default", Name: "istio-system-shared"}, ""},
		{"*", route.ObjectRef{Namespace: "istio-system", Name: "expose-gw"}, ""},
		{"*", def, "expose-gw-any"},
		{strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 50), shared, ""},
		{strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 50), x, ""},
	}
	seen := map[string]int{}
	for i, tt := range tests {
		got := route.VirtualServiceName(tt.host, tt.gw, "default")
		if tt.want != "" {
			assert.Equal(t, tt.want, got)
		}
		assert.Empty(t, validation.IsDNS1123Subdomain(got), got)
		if j, ok := seen[got]; ok {
			t.Errorf("%s for host %q on %s and host %q on %s", got, tests[j].host, tests[j].gw, tt.host, tt.gw)
		}
		seen[got] = i
	}
}

func TestPlanExposeVirtualServiceNames(t *testing.T) {
	onX := func(host string, force bool) *route.Expose {
		e := expose("api", []string{host}, pre("/"))
		e.Gateway, e.Force = &route.ObjectRef{Namespace: "default", Name: "x"}, force
		return e
	}
	webVS := vs("expose-gw-a.com-x", true, "a.com-x", "expose-gw", hr("web", pre("/")))
	st := State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "a.com-x")}, VirtualServices: []*networkingv1.VirtualService{webVS}}

	// Host a.com on gateway x beside host a.com-x on the default gateway:
	// two VirtualServices.
	cs, err := PlanExpose(onX("a.com", false), st)
	require.NoError(t, err)
	name := route.VirtualServiceName("a.com", route.ObjectRef{Namespace: "default", Name: "x"}, "default")
	assert.Equal(t, []string{"created gateway/x", "created virtualservice/" + name}, summary(cs))
	assert.NotEqual(t, "expose-gw-a.com-x", name)

	// A VirtualService an earlier version named expose-gw-a.com-x for host
	// a.com on gateway x is still the one of that host and gateway.
	oldVS := vs("expose-gw-a.com-x", true, "a.com", "x", hr("api", pre("/")))
	old := State{Gateways: []*networkingv1.Gateway{gateway("x", true, "a.com")}, VirtualServices: []*networkingv1.VirtualService{oldVS}}
	cs, err = PlanExpose(onX("a.com", false), old)
	require.NoError(t, err)
	assert.Equal(t, []string{"unchanged gateway/x", "unchanged virtualservice/expose-gw-a.com-x"}, summary(cs))
	e := onX("a.com", false)
	e.Matches = []route.Match{pre("/v2")}
	cs, err = PlanExpose(e, old)
	require.NoError(t, err)
	assert.Equal(t, []string{"unchanged gateway/x", "configured virtualservice/expose-gw-a.com-x"}, summary(cs))

	// ... and host a.com-x on the default gateway, whose name it holds, is
	// refused, --force or not: nothing would route only what it asks.
	for _, force := range []bool{false, true} {
		e := expose("web", []string{"a.com-x"}, pre("/"))
		e.Force = force
		_, err = PlanExpose(e, State{Gateways: append(old.Gateways, gateway("expose-gw", true, "*")), VirtualServices: old.VirtualServices})
		assert.EqualError(t, err, `virtualservice default/expose-gw-a.com-x exists and binds other hosts or gateways (hosts a.com; gateways x), not host "a.com-x" on gateway default/expose-gw: adding these to it would route each of its hosts on each of its gateways; delete or rename it, or choose another --host or --gateway`, "force=%v", force)
	}
}

func TestPlanExposeNamesakeRefused(t *testing.T) {
	for _, force := range []bool{false, true} {
		e := expose("flaskapp", []string{"shop.example.com"}, pre("/env"))
		e.Force = force
		st := State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
			VirtualServices: []*networkingv1.VirtualService{vs("expose-gw-shop.example.com", false, "other.example.com", "elsewhere", hr("x", pre("/")))}}
		_, err := PlanExpose(e, st)
		assert.EqualError(t, err, `virtualservice default/expose-gw-shop.example.com exists and binds other hosts or gateways (hosts other.example.com; gateways elsewhere), not host "shop.example.com" on gateway default/expose-gw: adding these to it would route each of its hosts on each of its gateways; delete or rename it, or choose another --host or --gateway`, "force=%v", force)
	}
	// Mesh only (no gateways) reads as such.
	m := vs("expose-gw-shop.example.com", false, "shop.example.com", "x")
	m.Spec.Gateways = nil
	_, err := PlanExpose(expose("flaskapp", []string{"shop.example.com"}, pre("/")), State{VirtualServices: []*networkingv1.VirtualService{m}})
	assert.ErrorContains(t, err, "(hosts shop.example.com; gateways mesh)")
}
