package istio

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// besideCatchAll is the tool's own Gateway for the hosts of an HTTPS
// expose that only "*" routes of the tool's default Gateway of the
// namespace would shadow: on that Gateway the "*" VirtualService joins
// every server, the new HTTPS one too, and takes its requests (it is
// older: Istio merges the routes of a host oldest first). On a Gateway of
// their own (same pods, named after the first host) the hosts get their
// own HTTPS server, which the "*" route does not bind. Any other shadow,
// --gateway, a request without TLS, or a Gateway of that name that is
// not the tool's for the same pods: not moved. It returns the Gateway and
// the VirtualServices that shadowed.
func besideCatchAll(e *route.Expose, st State, err error) (route.ObjectRef, []route.ObjectRef, bool) {
	var se *ShadowError
	if !errors.As(err, &se) || e.Gateway != nil || e.TLSSecret == "" || len(e.Hosts) == 0 || slices.Contains(e.Hosts, "*") {
		return route.ObjectRef{}, nil, false
	}
	ns := e.Target.Namespace
	own := route.ObjectRef{Namespace: ns, Name: route.GatewayName(e.Selector)}
	_, vss := world(st)
	for _, ref := range se.By {
		i := slices.IndexFunc(vss, func(vs *networkingv1.VirtualService) bool {
			return vs.Namespace == ref.Namespace && vs.Name == ref.Name
		})
		if i < 0 || !route.IsManaged(vss[i]) || !Binds(vss[i], "*", own) {
			return route.ObjectRef{}, nil, false
		}
	}
	gw := route.ObjectRef{Namespace: ns, Name: route.HostGatewayName(e.Selector, e.Hosts[0])}
	if g := findGateway(st, gw); g != nil && (!route.IsManaged(g) || !sameSelector(g, e.Selector)) {
		return route.ObjectRef{}, nil, false // that name is not the tool's Gateway of these pods: the shadow stands
	}
	return gw, se.By, true
}

// besideNote says why the hosts went to a Gateway of their own.
func besideNote(e *route.Expose, gw route.ObjectRef, by []route.ObjectRef) string {
	names := make([]string, len(by))
	for i, r := range by {
		names[i] = r.String()
	}
	return fmt.Sprintf("host %s: on Gateway %s (same pods, %s): on %s/%s the \"*\" route of %s would take its HTTPS requests; list and delete treat it as the tool's own",
		strings.Join(e.Hosts, ", "), gw, route.FormatSelector(e.Selector), e.Target.Namespace, route.GatewayName(e.Selector), strings.Join(names, ", "))
}
