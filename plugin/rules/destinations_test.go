package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	apinet "istio.io/api/networking/v1"
)

// From istio.io's VirtualService reference (Destination.host): "Note for
// Kubernetes users: When short names are used (e.g. "reviews" instead of
// "reviews.default.svc.cluster.local"), Istio will interpret the short name
// based on the namespace of the rule, not the service." Pilot appends the
// namespace and domain only to names without a dot
// (model.ResolveShortnameToFQDN).
func TestDestinationFQDN(t *testing.T) {
	cases := map[string]string{
		"reviews":                           "reviews.default.svc.cluster.local",
		"reviews.default.svc.cluster.local": "reviews.default.svc.cluster.local",
		"reviews.prod":                      "reviews.prod",
		"reviews.prod.svc":                  "reviews.prod.svc",
		"*":                                 "*",
		"10.0.0.1":                          "10.0.0.1",
		"::1":                               "::1",
	}
	for in, want := range cases {
		assert.Equal(t, want, DestinationFQDN(in, "default"), in)
	}
}

func TestRoutesToService(t *testing.T) {
	to := func(hosts ...string) *apinet.HTTPRoute {
		r := &apinet.HTTPRoute{}
		for _, h := range hosts {
			r.Route = append(r.Route, &apinet.HTTPRouteDestination{Destination: &apinet.Destination{Host: h}})
		}
		return r
	}
	assert.True(t, RoutesToService(to("reviews"), "default", "default", "reviews"), "a short name in the rule's namespace")
	assert.False(t, RoutesToService(to("reviews"), "default", "prod", "reviews"), "a short name is read in the rule's namespace, not the Service's")
	assert.True(t, RoutesToService(to("reviews.prod.svc.cluster.local"), "default", "prod", "reviews"))
	assert.False(t, RoutesToService(to("reviews.prod"), "default", "prod", "reviews"), "reviews.prod is not resolved")
	assert.True(t, RoutesToService(to("other", "reviews"), "default", "default", "reviews"), "one of the destinations")
	assert.False(t, RoutesToService(to(), "default", "default", "reviews"))
}
