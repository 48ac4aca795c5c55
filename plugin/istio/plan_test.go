package istio

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

var defaultSel = map[string]string{"istio": "ingressgateway"}

func expose(svc string, hosts []string, ms ...route.Match) *route.Expose {
	return &route.Expose{Target: route.RouteTarget{Service: svc, Namespace: "default", Port: 80}, Matches: ms, Hosts: hosts,
		Selector: defaultSel, HTTPPort: 80, HTTPSPort: 443}
}

func gateway(name string, managed bool, hosts ...string) *networkingv1.Gateway {
	g := NewGateway(route.ObjectRef{Namespace: "default", Name: name}, defaultSel, nil)
	for _, h := range hosts {
		EnsureServers(g, []ServerSpec{{Port: 80, Protocol: "HTTP", Host: h}})
	}
	if !managed {
		g.Labels = nil
	}
	return g
}

func vs(name string, managed bool, host, gw string, rs ...*apinet.HTTPRoute) *networkingv1.VirtualService {
	v := NewVirtualService(name, "default", host, []string{gw}, rs)
	if !managed {
		v.Labels = nil
	}
	return v
}

// summary is "OP kind/name" of each change.
func summary(cs []route.Change) []string {
	var out []string
	for _, c := range cs {
		if GatewayOf(c) != nil {
			out = append(out, string(c.Op)+" gateway/"+GatewayOf(c).Name)
		} else {
			out = append(out, string(c.Op)+" virtualservice/"+VirtualServiceOf(c).Name)
		}
	}
	return out
}

func TestPlanExpose(t *testing.T) {
	cases := []struct {
		name    string
		req     *route.Expose
		st      State
		want    []string
		wantErr string
		check   func(t *testing.T, cs []route.Change)
	}{
		{name: "fresh", req: expose("flaskapp", []string{"*"}, pre("/env")),
			want: []string{"created gateway/expose-gw", "created virtualservice/expose-gw-any"},
			check: func(t *testing.T, cs []route.Change) {
				assert.Equal(t, []string{"expose-gw"}, VirtualServiceOf(cs[1]).Spec.Gateways)
				assert.Equal(t, "Gateway", GatewayOf(cs[0]).Kind)
			}},
		{name: "ports unknown", req: func() *route.Expose { e := expose("flaskapp", []string{"*"}, pre("/")); e.HTTPPort = 0; return e }(),
			wantErr: ErrNeedPorts.Error()},
		{name: "ports taken from the tool's gateway",
			req: func() *route.Expose {
				e := expose("flaskapp", []string{"a.example.com"}, pre("/"))
				e.HTTPPort = 0
				return e
			}(),
			st:   State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "b.example.com")}},
			want: []string{"configured gateway/expose-gw", "created virtualservice/expose-gw-a.example.com"},
			check: func(t *testing.T, cs []route.Change) {
				assert.Equal(t, []string{"b.example.com", "a.example.com"}, GatewayOf(cs[0]).Spec.Servers[0].Hosts)
				assert.Equal(t, []string{"b.example.com"}, BeforeGateway(cs[0]).Spec.Servers[0].Hosts, "the read object stays as read")
			}},
		{name: "the tool's gateway for * serves every host", req: expose("flaskapp", []string{"a.example.com"}, pre("/")),
			st:   State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")}},
			want: []string{"unchanged gateway/expose-gw", "created virtualservice/expose-gw-a.example.com"}},
		{name: "reuse a user's gateway serving the host", req: expose("flaskapp", []string{"a.example.com"}, pre("/")),
			st:   State{Gateways: []*networkingv1.Gateway{gateway("mine", false, "*.example.com")}},
			want: []string{"unchanged gateway/mine", "created virtualservice/expose-gw-a.example.com-mine-70fe14dd"}},
		{name: "a user's gateway on another port is not reused", req: expose("flaskapp", []string{"a.example.com"}, pre("/")),
			st: State{Gateways: []*networkingv1.Gateway{func() *networkingv1.Gateway {
				g := gateway("mine", false, "*.example.com")
				g.Spec.Servers[0].Port.Number = 8080
				return g
			}()}},
			want: []string{"created gateway/expose-gw", "created virtualservice/expose-gw-a.example.com"},
			check: func(t *testing.T, cs []route.Change) {
				assert.Equal(t, uint32(80), GatewayOf(cs[0]).Spec.Servers[0].Port.Number)
			}},
		{name: "ports unknown and a user's gateway serves the host: the ports decide",
			req: func() *route.Expose {
				e := expose("flaskapp", []string{"a.example.com"}, pre("/"))
				e.HTTPPort = 0
				return e
			}(),
			st: State{Gateways: []*networkingv1.Gateway{gateway("mine", false, "*.example.com")}}, wantErr: ErrNeedPorts.Error()},
		{name: "the tool's server on another port gets a second server",
			req: expose("flaskapp", []string{"a.example.com"}, pre("/")),
			st: State{Gateways: []*networkingv1.Gateway{func() *networkingv1.Gateway {
				g := gateway("expose-gw", true, "*")
				g.Spec.Servers[0].Port.Number = 8080
				g.Spec.Servers[0].Name, g.Spec.Servers[0].Port.Name = "http-8080", "http-8080"
				return g
			}()}},
			want: []string{"configured gateway/expose-gw", "created virtualservice/expose-gw-a.example.com"},
			check: func(t *testing.T, cs []route.Change) {
				s := GatewayOf(cs[0]).Spec.Servers
				require.Len(t, s, 2)
				assert.Equal(t, "http-80", s[1].Name)
				assert.Equal(t, []string{"a.example.com"}, s[1].Hosts)
			}},
		{name: "conflict with a user's virtualservice", req: expose("flaskapp", []string{"*"}, pre("/env")),
			st: State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
				VirtualServices: []*networkingv1.VirtualService{vs("hand", false, "*", "expose-gw", hr("x", pre("/")))}},
			wantErr: `virtualservice default/hand (not managed by kubectl-expose-gw) already binds host "*" on gateway default/expose-gw and its route prefix / shadows prefix /env: add --force to merge the routes into it`},
		{name: "forced into a user's virtualservice",
			req: func() *route.Expose { e := expose("flaskapp", []string{"*"}, pre("/env")); e.Force = true; return e }(),
			st: State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
				VirtualServices: []*networkingv1.VirtualService{vs("hand", false, "*", "expose-gw", hr("x", pre("/")))}},
			want: []string{"unchanged gateway/expose-gw", "configured virtualservice/hand"},
			check: func(t *testing.T, cs []route.Change) {
				assert.Equal(t, []string{"flaskapp prefix /env", "x prefix /"}, describe(VirtualServiceOf(cs[1]).Spec.Http))
			}},
		{name: "name clash", req: expose("flaskapp", []string{"*"}, pre("/")),
			st: State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
				VirtualServices: []*networkingv1.VirtualService{vs("expose-gw-any", false, "other.example.com", "elsewhere")}},
			wantErr: `virtualservice default/expose-gw-any exists and binds other hosts or gateways (hosts other.example.com; gateways elsewhere), not host "*" on gateway default/expose-gw: adding these to it would route each of its hosts on each of its gateways; delete or rename it, or choose another --host or --gateway`},
		{name: "forced name clash is refused too: it would route every host on every gateway",
			req: func() *route.Expose { e := expose("flaskapp", []string{"*"}, pre("/env")); e.Force = true; return e }(),
			st: State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
				VirtualServices: []*networkingv1.VirtualService{vs("expose-gw-any", false, "other.example.com", "elsewhere", hr("x", pre("/")))}},
			wantErr: `virtualservice default/expose-gw-any exists and binds other hosts or gateways (hosts other.example.com; gateways elsewhere), not host "*" on gateway default/expose-gw: adding these to it would route each of its hosts on each of its gateways; delete or rename it, or choose another --host or --gateway`},
		{name: "a wildcard and its namesake host get two virtualservices",
			req:  expose("flaskapp", []string{"*.example.com", "any.example.com"}, pre("/")),
			st:   State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")}},
			want: []string{"unchanged gateway/expose-gw", "created virtualservice/expose-gw-any.example.com", "created virtualservice/expose-gw-x--any.example.com"}},
		{name: "idempotent", req: expose("flaskapp", []string{"*"}, pre("/env")),
			st: State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
				VirtualServices: []*networkingv1.VirtualService{vs("expose-gw-any", true, "*", "expose-gw", hr("flaskapp", pre("/env")))}},
			want: []string{"unchanged gateway/expose-gw", "unchanged virtualservice/expose-gw-any"}},
		{name: "a string prefix an older version wrote is upgraded", req: expose("flaskapp", []string{"*"}, pre("/env")),
			st: State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
				VirtualServices: []*networkingv1.VirtualService{vs("expose-gw-any", true, "*", "expose-gw", hr("flaskapp", str("/env")), hr("web", pre("/")))}},
			want: []string{"unchanged gateway/expose-gw", "configured virtualservice/expose-gw-any"},
			check: func(t *testing.T, cs []route.Change) {
				assert.Equal(t, []*apinet.HTTPRoute{hr("flaskapp", pre("/env")), hr("web", pre("/"))}, VirtualServiceOf(cs[1]).Spec.Http)
			}},
		{name: "a user's string prefix shadows", req: expose("flaskapp", []string{"*"}, pre("/env")),
			st: State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
				VirtualServices: []*networkingv1.VirtualService{vs("hand", false, "*", "expose-gw", hr("x", str("/e")), hr("y", pre("/envoy")))}},
			wantErr: `virtualservice default/hand (not managed by kubectl-expose-gw) already binds host "*" on gateway default/expose-gw and its route string-prefix /e shadows prefix /env: add --force to merge the routes into it`},
		{name: "forced into a user's virtualservice: its canary stays before /",
			req: func() *route.Expose { e := expose("flaskapp", []string{"*"}, pre("/env")); e.Force = true; return e }(),
			st: State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
				VirtualServices: []*networkingv1.VirtualService{vs("hand", false, "*", "expose-gw", canary(), hr("web", pre("/")))}},
			want: []string{"unchanged gateway/expose-gw", "configured virtualservice/hand"},
			check: func(t *testing.T, cs []route.Change) {
				assert.Equal(t, []string{"flaskapp prefix /env", "canary custom", "web prefix /"}, describe(VirtualServiceOf(cs[1]).Spec.Http))
			}},
		{name: "forced into a user's virtualservice: its routes do not move",
			req: func() *route.Expose { e := expose("flaskapp", []string{"*"}, pre("/env")); e.Force = true; return e }(),
			st: State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
				VirtualServices: []*networkingv1.VirtualService{vs("hand", false, "*", "expose-gw", hr("web", pre("/")), hr("v2", pre("/env/v2")))}},
			want: []string{"unchanged gateway/expose-gw", "configured virtualservice/hand"},
			check: func(t *testing.T, cs []route.Change) {
				assert.Equal(t, []string{"flaskapp prefix /env", "web prefix /", "v2 prefix /env/v2"}, describe(VirtualServiceOf(cs[1]).Spec.Http))
			}},
		{name: "mesh is added to the gateways",
			req: func() *route.Expose {
				e := expose("flaskapp", []string{"a.example.com"}, pre("/env"))
				e.Mesh = true
				return e
			}(),
			st: State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "a.example.com")},
				VirtualServices: []*networkingv1.VirtualService{vs("expose-gw-a.example.com", true, "a.example.com", "expose-gw", hr("flaskapp", pre("/env")))}},
			want: []string{"unchanged gateway/expose-gw", "configured virtualservice/expose-gw-a.example.com"},
			check: func(t *testing.T, cs []route.Change) {
				assert.Equal(t, []string{"expose-gw", "mesh"}, VirtualServiceOf(cs[1]).Spec.Gateways)
			}},
		{name: "tls and redirect",
			req: func() *route.Expose {
				e := expose("flaskapp", []string{"a.example.com", "b.example.com"}, pre("/"))
				e.TLSSecret, e.HTTPSRedirect = "cert", true
				return e
			}(),
			want: []string{"created gateway/expose-gw", "created virtualservice/expose-gw-a.example.com", "created virtualservice/expose-gw-b.example.com"},
			check: func(t *testing.T, cs []route.Change) {
				s := GatewayOf(cs[0]).Spec.Servers
				require.Len(t, s, 2)
				assert.Equal(t, "http-80-redirect", s[0].Name)
				assert.Equal(t, []string{"a.example.com", "b.example.com"}, s[0].Hosts)
				assert.Equal(t, "https-443-cert", s[1].Name)
				assert.Equal(t, "cert", s[1].Tls.CredentialName)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs, err := PlanExpose(c.req, c.st)
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

func TestPlanDelete(t *testing.T) {
	gw := gateway("expose-gw", true, "b.example.com", "a.example.com")
	any := vs("expose-gw-b.example.com", true, "b.example.com", "expose-gw", hr("flaskapp", pre("/env")), hr("webapp", pre("/")))
	a := vs("expose-gw-a.example.com", true, "a.example.com", "expose-gw", hr("flaskapp", pre("/")))
	st := State{Gateways: []*networkingv1.Gateway{gw}, VirtualServices: []*networkingv1.VirtualService{any, a}}

	cs, err := PlanDelete(&route.Delete{Service: "webapp", Namespace: "default"}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"configured virtualservice/expose-gw-b.example.com"}, summary(cs))

	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default", Hosts: []string{"a.example.com"}}, st)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-a.example.com", "configured gateway/expose-gw"}, summary(cs))
	assert.Equal(t, []string{"b.example.com"}, GatewayOf(cs[1]).Spec.Servers[0].Hosts)
	assert.Equal(t, []string{"b.example.com", "a.example.com"}, gw.Spec.Servers[0].Hosts, "the read object stays as read")

	only := State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "a.example.com")}, VirtualServices: []*networkingv1.VirtualService{a}}
	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, only)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-a.example.com", "deleted gateway/expose-gw"}, summary(cs))

	user := State{Gateways: []*networkingv1.Gateway{gateway("theirs", false, "*")},
		VirtualServices: []*networkingv1.VirtualService{vs("expose-gw-any-theirs", true, "*", "theirs", hr("flaskapp", pre("/")))}}
	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, user)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-any-theirs"}, summary(cs), "a user's Gateway is never touched")

	// A VirtualService of namespace other bound to default/expose-gw keeps
	// its host on it; unknown other namespaces keep the Gateway as is.
	other := NewVirtualService("expose-gw-b.example.com-default-expose-gw", "other", "b.example.com", []string{"default/expose-gw"}, []*apinet.HTTPRoute{hr("x", pre("/"))})
	cross := State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "a.example.com", "b.example.com")},
		VirtualServices: []*networkingv1.VirtualService{vs("expose-gw-a.example.com", true, "a.example.com", "expose-gw", hr("flaskapp", pre("/")))}}
	cross.Managed = append([]*networkingv1.VirtualService{other}, cross.VirtualServices...)
	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, cross)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-a.example.com", "configured gateway/expose-gw"}, summary(cs))
	assert.Equal(t, []string{"b.example.com"}, GatewayOf(cs[1]).Spec.Servers[0].Hosts, "the other namespace's host stays")
	cross.Managed, cross.ManagedUnknown = nil, true
	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default"}, cross)
	require.NoError(t, err)
	assert.Equal(t, []string{"deleted virtualservice/expose-gw-a.example.com"}, summary(cs), "other namespaces unknown: the Gateway is kept")

	// A string prefix an older version wrote for --prefix /env goes with
	// delete --prefix /env; one of another path stays.
	old := State{Gateways: []*networkingv1.Gateway{gateway("expose-gw", true, "*")},
		VirtualServices: []*networkingv1.VirtualService{vs("expose-gw-any", true, "*", "expose-gw",
			hr("flaskapp", str("/envoy")), hr("flaskapp", str("/env")), hr("webapp", pre("/")))}}
	cs, err = PlanDelete(&route.Delete{Service: "flaskapp", Namespace: "default", Matches: []route.Match{pre("/env")}}, old)
	require.NoError(t, err)
	assert.Equal(t, []string{"configured virtualservice/expose-gw-any"}, summary(cs))
	assert.Equal(t, []string{"flaskapp string-prefix /envoy", "webapp prefix /"}, describe(VirtualServiceOf(cs[0]).Spec.Http))

	_, err = PlanDelete(&route.Delete{Service: "nothing", Namespace: "default", Matches: []route.Match{pre("/x")}}, st)
	assert.EqualError(t, err, "no route of service default/nothing to delete matching [prefix /x]")
	assert.False(t, errors.Is(err, ErrNeedPorts))
}

func TestVirtualServiceName(t *testing.T) {
	def := route.ObjectRef{Namespace: "default", Name: "expose-gw"}
	tests := []struct {
		host string
		gw   route.ObjectRef
		want string
	}{
		{"*", def, "expose-gw-any"},
		{"*.example.com", def, "expose-gw-any.example.com"},
		{"flask.example.com", def, "expose-gw-flask.example.com"},
		{"any", def, "expose-gw-x--any"},
		{"any.example.com", def, "expose-gw-x--any.example.com"},
		{"x--any.example.com", def, "expose-gw-x--x--any.example.com"},
		{"x--y", def, "expose-gw-x--x--y"},
		{"anything.example.com", def, "expose-gw-anything.example.com"},
		{"*", route.ObjectRef{Namespace: "istio-system", Name: "shared"}, "expose-gw-any-istio-system-shared-eb860768"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got := route.VirtualServiceName(tt.host, tt.gw, "default")
			assert.Equal(t, tt.want, got)
			if tt.gw == def {
				assert.NotContains(t, seen, got, "two hosts, one name")
				seen[got] = tt.host
			}
		})
	}
}
