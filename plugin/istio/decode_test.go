package istio

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	metav1alpha1 "istio.io/api/meta/v1alpha1"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// TestFastDecodeMatchesTheLibrary: decode.go reads what Istio's generated
// UnmarshalJSON reads, field for field, on lists as the apiserver sends
// them (made here by the library's own MarshalJSON).
func TestFastDecodeMatchesTheLibrary(t *testing.T) {
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: "team-a", ResourceVersion: "42", UID: types.UID("u-" + name), Generation: 3,
			CreationTimestamp: metav1.Date(2026, 12, 6, 10, 0, 0, 0, metav1.Now().Location()),
			Labels:            map[string]string{"app.kubernetes.io/managed-by": "kubectl-expose-gw"}, Annotations: map[string]string{"a": "b"}}
	}
	setStatus := func(s *metav1alpha1.IstioStatus) {
		s.ObservedGeneration = 3
		s.Conditions = []*metav1alpha1.IstioCondition{{Type: "Reconciled", Status: "True", Reason: "ok"}}
	}
	vss := &networkingv1.VirtualServiceList{
		TypeMeta: metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "VirtualServiceList"},
		ListMeta: metav1.ListMeta{ResourceVersion: "99", Continue: "token"},
		Items: []*networkingv1.VirtualService{
			{TypeMeta: metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "VirtualService"}, ObjectMeta: meta("shop"),
				Spec: apinet.VirtualService{Hosts: []string{"shop.example.com", "*"}, Gateways: []string{"infra/gw", "mesh"}, ExportTo: []string{"."},
					Http: []*apinet.HTTPRoute{
						{Name: "api", Match: []*apinet.HTTPMatchRequest{
							{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: "/api/"}}, IgnoreUriCase: true,
								Headers: map[string]*apinet.StringMatch{"x-team": {MatchType: &apinet.StringMatch_Exact{Exact: "a"}}}},
							{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Regex{Regex: "/v[0-9]+/.*"}}, Port: 8080}},
							Rewrite: &apinet.HTTPRewrite{Uri: "/"}, Timeout: durationpb.New(1500_000_000),
							Retries: &apinet.HTTPRetry{Attempts: 3, PerTryTimeout: durationpb.New(2e9), RetryOn: "5xx"},
							Route: []*apinet.HTTPRouteDestination{
								{Destination: &apinet.Destination{Host: "shop.team-a.svc.cluster.local", Port: &apinet.PortSelector{Number: 80}, Subset: "v1"}, Weight: 90},
								{Destination: &apinet.Destination{Host: "shop-canary"}, Weight: 10,
									Headers: &apinet.Headers{Request: &apinet.Headers_HeaderOperations{Set: map[string]string{"x-canary": "1"}}}}},
							CorsPolicy: &apinet.CorsPolicy{AllowCredentials: wrapperspb.Bool(true), AllowMethods: []string{"GET"}},
							Mirror:     &apinet.Destination{Host: "mirror"}, MirrorPercentage: &apinet.Percent{Value: 12.5}},
						{Name: "old", Redirect: &apinet.HTTPRedirect{Uri: "/new", RedirectCode: 301}},
						{Name: "down", DirectResponse: &apinet.HTTPDirectResponse{Status: 503, Body: &apinet.HTTPBody{Specifier: &apinet.HTTPBody_String_{String_: "down"}}}},
						{Fault: &apinet.HTTPFaultInjection{Abort: &apinet.HTTPFaultInjection_Abort{ErrorType: &apinet.HTTPFaultInjection_Abort_HttpStatus{HttpStatus: 500}, Percentage: &apinet.Percent{Value: 1}}},
							Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: "shop"}}}},
					},
					Tls: []*apinet.TLSRoute{{Match: []*apinet.TLSMatchAttributes{{SniHosts: []string{"shop.example.com"}, Port: 443}},
						Route: []*apinet.RouteDestination{{Destination: &apinet.Destination{Host: "shop"}}}}},
					Tcp: []*apinet.TCPRoute{{Match: []*apinet.L4MatchAttributes{{Port: 3306}}, Route: []*apinet.RouteDestination{{Destination: &apinet.Destination{Host: "db"}}}}}}},
			{ObjectMeta: meta("empty")},
		},
	}
	gws := &networkingv1.GatewayList{Items: []*networkingv1.Gateway{
		{ObjectMeta: meta("gw"), Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"}, Servers: []*apinet.Server{
			{Name: "http", Port: &apinet.Port{Number: 80, Name: "http", Protocol: "HTTP"}, Hosts: []string{"team-a/*.example.com"}, Tls: &apinet.ServerTLSSettings{HttpsRedirect: true}},
			{Port: &apinet.Port{Number: 443, Name: "https", Protocol: "HTTPS"}, Hosts: []string{"*"},
				Tls: &apinet.ServerTLSSettings{Mode: apinet.ServerTLSSettings_SIMPLE, CredentialName: "cert", MinProtocolVersion: apinet.ServerTLSSettings_TLSV1_2}}}}},
	}}

	setStatus(&vss.Items[0].Status)
	setStatus(&gws.Items[0].Status)
	b, err := json.Marshal(vss)
	require.NoError(t, err)
	var want networkingv1.VirtualServiceList
	require.NoError(t, json.Unmarshal(b, &want))
	got, err := decodeVirtualServices(b)
	require.NoError(t, err)
	assert.Equal(t, want.ListMeta, got.ListMeta)
	require.Len(t, got.Items, len(want.Items))
	for i := range want.Items {
		assert.Equal(t, want.Items[i].TypeMeta, got.Items[i].TypeMeta)
		assert.Equal(t, want.Items[i].ObjectMeta, got.Items[i].ObjectMeta)
		assert.True(t, proto.Equal(&want.Items[i].Spec, &got.Items[i].Spec), "spec of %s:\nlibrary %v\nfast    %v", want.Items[i].Name, &want.Items[i].Spec, &got.Items[i].Spec)
		assert.True(t, proto.Equal(&want.Items[i].Status, &got.Items[i].Status), "status of %s", want.Items[i].Name)
	}
	assert.True(t, proto.Equal(&vss.Items[0].Spec, &got.Items[0].Spec), "the round trip keeps the spec")

	b, err = json.Marshal(gws)
	require.NoError(t, err)
	var wantGW networkingv1.GatewayList
	require.NoError(t, json.Unmarshal(b, &wantGW))
	gotGW, err := decodeGateways(b)
	require.NoError(t, err)
	require.Len(t, gotGW.Items, 1)
	assert.Equal(t, wantGW.Items[0].ObjectMeta, gotGW.Items[0].ObjectMeta)
	assert.True(t, proto.Equal(&wantGW.Items[0].Spec, &gotGW.Items[0].Spec), "gateway spec:\nlibrary %v\nfast    %v", &wantGW.Items[0].Spec, &gotGW.Items[0].Spec)
	assert.True(t, proto.Equal(&wantGW.Items[0].Status, &gotGW.Items[0].Status))
}

// TestFastDecodeRefusals: a spec neither decoder can read is an error; an
// unknown field is dropped by both, as the generated decoder allows it.
func TestFastDecodeRefusals(t *testing.T) {
	_, err := decodeVirtualServices([]byte(`{"items":[{"metadata":{"name":"x"},"spec":{"hosts":"not-a-list"}}]}`))
	assert.Error(t, err)
	_, err = decodeVirtualServices([]byte(`{"items":[`))
	assert.Error(t, err)

	b := []byte(`{"items":[{"metadata":{"name":"x"},"spec":{"hosts":["a.example.com"],"fromTheFuture":{"x":1}}}]}`)
	var want networkingv1.VirtualServiceList
	require.NoError(t, json.Unmarshal(b, &want))
	got, err := decodeVirtualServices(b)
	require.NoError(t, err)
	assert.True(t, proto.Equal(&want.Items[0].Spec, &got.Items[0].Spec))
	assert.Equal(t, []string{"a.example.com"}, got.Items[0].Spec.Hosts)
}

// BenchmarkDecodeVirtualServices: the library's decoder against decode.go,
// on a page of 500 VirtualServices of 4 routes each.
func BenchmarkDecodeVirtualServices(b *testing.B) {
	l := &networkingv1.VirtualServiceList{}
	for i := range 500 {
		vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: "vs", Namespace: "team", ResourceVersion: "1"},
			Spec: apinet.VirtualService{Hosts: []string{"svc.team.example.com"}, Gateways: []string{"team-gw"}}}
		for _, p := range []string{"/a", "/b", "/c", "/d"} {
			vs.Spec.Http = append(vs.Spec.Http, &apinet.HTTPRoute{Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: p}}}},
				Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: "svc", Port: &apinet.PortSelector{Number: uint32(80 + i%3)}}}}})
		}
		l.Items = append(l.Items, vs)
	}
	data, err := json.Marshal(l)
	require.NoError(b, err)
	b.Run("library", func(b *testing.B) {
		for b.Loop() {
			var out networkingv1.VirtualServiceList
			if err := json.Unmarshal(data, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode.go", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeVirtualServices(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
