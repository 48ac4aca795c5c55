package gwapi

import (
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

func ptr[T any](v T) *T { return &v }

// gateway is a Gateway of class istio with one HTTP listener "http" on
// port 80 (routes from its own namespace, the default).
func gateway(ns, name string) *gatewayv1.Gateway {
	return &gatewayv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: gatewayv1.GatewaySpec{
			GatewayClassName: "istio",
			Listeners:        []gatewayv1.Listener{{Name: "http", Port: 80, Protocol: gatewayv1.HTTPProtocolType}},
		},
	}
}

// route is an HTTPRoute in ns attached to Gateway gwNS/gw sending
// PathPrefix prefix to Service svc port 80 (in ns), for hosts.
func route(ns, name, gwNS, gw, prefix, svc string, hosts ...string) *gatewayv1.HTTPRoute {
	var hs []gatewayv1.Hostname
	for _, h := range hosts {
		hs = append(hs, gatewayv1.Hostname(h))
	}
	return &gatewayv1.HTTPRoute{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: gatewayv1.HTTPRouteSpec{
			CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{{
				Name: gatewayv1.ObjectName(gw), Namespace: ptr(gatewayv1.Namespace(gwNS))}}},
			Hostnames: hs,
			Rules: []gatewayv1.HTTPRouteRule{{
				Matches: []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{
					Type: ptr(gatewayv1.PathMatchPathPrefix), Value: ptr(prefix)}}},
				BackendRefs: []gatewayv1.HTTPBackendRef{{BackendRef: gatewayv1.BackendRef{
					BackendObjectReference: gatewayv1.BackendObjectReference{
						Name: gatewayv1.ObjectName(svc), Port: ptr(gatewayv1.PortNumber(80))}}}},
			}},
		},
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
