package rules

import (
	"fmt"
	"strings"

	apinet "istio.io/api/networking/v1"
)

// ClusterDomain is the cluster DNS domain Istio appends to short names.
const ClusterDomain = "cluster.local"

// ServiceFQDN is the cluster DNS name of a Service.
func ServiceFQDN(name, ns string) string { return name + "." + ns + ".svc." + ClusterDomain }

// DestinationFQDN is the host a destination of a VirtualService of
// namespace vsNS names, as pilot resolves it (model.ResolveShortnameToFQDN):
// a name without a dot is a Service of vsNS; any name with a dot is taken
// as it is ("web.default" is not web.default.svc.cluster.local).
func DestinationFQDN(host, vsNS string) string {
	if host == "" || host == "*" || strings.Contains(host, ".") || strings.Contains(host, ":") {
		return host
	}
	return ServiceFQDN(host, vsNS)
}

// RoutesToService is true when a destination of r, a route of a
// VirtualService of namespace vsNS, is Service ns/name.
func RoutesToService(r *apinet.HTTPRoute, vsNS, ns, name string) bool {
	want := ServiceFQDN(name, ns)
	for _, d := range r.GetRoute() {
		if DestinationFQDN(d.GetDestination().GetHost(), vsNS) == want {
			return true
		}
	}
	return false
}

// Destinations is "host:port" of each destination of a route.
func Destinations(r *apinet.HTTPRoute) []string {
	var out []string
	for _, d := range r.GetRoute() {
		dst := d.GetDestination()
		s := dst.GetHost()
		if n := dst.GetPort().GetNumber(); n != 0 {
			s = fmt.Sprintf("%s:%d", s, n)
		}
		out = append(out, s)
	}
	return out
}
