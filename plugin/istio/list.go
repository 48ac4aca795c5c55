package istio

import (
	"sort"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// ListRoutes returns a row per route and host of the VirtualServices bound
// to a gateway (mesh-only ones are left out). A route is shadowed when an
// earlier route of the virtual host Istio merges it into (from any
// VirtualService bound to the same gateway workload, port and host, in any
// namespace, see MergeVirtualHosts) takes all its requests; it conflicts
// when another VirtualService binds the same host and Gateway.
func ListRoutes(gateways []*networkingv1.Gateway, vss []*networkingv1.VirtualService) []route.RouteRow {
	merged := rules.MergeVirtualHosts(gateways, vss)
	type key struct {
		host string
		gw   route.ObjectRef
	}
	binders := map[key][]*networkingv1.VirtualService{}
	for _, vs := range vss {
		for _, h := range vs.Spec.Hosts {
			for _, g := range rules.BoundGateways(vs) {
				if g.Name != route.MeshGateway {
					k := key{h, g}
					binders[k] = append(binders[k], vs)
				}
			}
		}
	}
	var rows []route.RouteRow
	for _, vs := range vss {
		var conflicts []string
		relevant := false
		for _, h := range vs.Spec.Hosts {
			for _, g := range rules.BoundGateways(vs) {
				relevant = relevant || g.Name != route.MeshGateway
				for _, b := range binders[key{h, g}] {
					if b != vs {
						conflicts = append(conflicts, b.Namespace+"/"+b.Name)
					}
				}
			}
		}
		if !relevant {
			continue
		}
		gws := make([]string, 0, len(vs.Spec.Gateways))
		for _, g := range rules.BoundGateways(vs) {
			if g.Name == route.MeshGateway {
				gws = append(gws, route.MeshGateway)
			} else {
				gws = append(gws, g.String())
			}
		}
		shadow := rules.ShadowedBy(vs.Spec.Http)
		for i, r := range vs.Spec.Http {
			for _, h := range vs.Spec.Hosts {
				status := route.StatusOK
				switch s := merged.Shadowed(vs, h, i); {
				case s != nil && s.VirtualService == (route.ObjectRef{Namespace: vs.Namespace, Name: vs.Name}):
					status = route.StatusShadowed + " by " + s.Match
				case s != nil:
					status = route.StatusShadowed + " by " + s.String()
				case len(conflicts) > 0:
					status = route.StatusConflict + " with " + strings.Join(dedup(conflicts), ",")
				case shadow[i] >= 0:
					status = route.StatusShadowed + " by " + rules.DescribeMatch(vs.Spec.Http[shadow[i]])
				}
				rows = append(rows, route.RouteRow{
					API: route.APIIstio, Namespace: vs.Namespace, Host: h, Match: rules.DescribeMatch(r),
					Destination: joinOr(rules.Destinations(r), "<none>"), Gateway: strings.Join(gws, ","),
					Status: status, VirtualService: vs.Name, Route: r.GetName(),
					Rewrite: describeRewrite(r), Managed: route.IsManaged(vs),
				})
			}
		}
	}
	route.SortRows(rows)
	return rows
}

func dedup(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
