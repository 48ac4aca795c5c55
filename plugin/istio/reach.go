package istio

import (
	"fmt"
	"slices"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// ShadowError says that after the plan a route would not get its requests:
// an earlier route of the same virtual host (merged by Istio from
// VirtualServices bound to the same gateway workload and host) takes them.
type ShadowError struct {
	Problems []string
	// By are the VirtualServices whose routes take the requests.
	By []route.ObjectRef
}

func (e *ShadowError) Error() string {
	return e.Problems[0] + ": give it its own host with --host or its own Gateway with --gateway, or add --force to write it anyway"
}

// CheckReach merges the cluster's Gateways and VirtualServices with the
// planned changes as Istio does and lists every route that Istio would not
// send its requests to after them but did before (the new routes
// included). With force the problems are returned as warnings; without, as
// a *ShadowError.
func CheckReach(st State, changes []route.Change, force bool) ([]string, error) {
	gws, vss := world(st)
	before := rules.MergeVirtualHosts(gws, vss)
	was := make(map[route.ObjectRef]*networkingv1.VirtualService, len(vss))
	for _, vs := range vss {
		was[route.ObjectRef{Namespace: vs.Namespace, Name: vs.Name}] = vs
	}
	for _, c := range changes {
		switch {
		case c.Op == route.OpDelete && GatewayOf(c) != nil:
			gws = slices.DeleteFunc(replaceGateway(gws, GatewayOf(c)), func(g *networkingv1.Gateway) bool { return g == GatewayOf(c) })
		case c.Op == route.OpDelete && VirtualServiceOf(c) != nil:
			vss = slices.DeleteFunc(replaceVS(vss, VirtualServiceOf(c)), func(v *networkingv1.VirtualService) bool {
				return v.Namespace == VirtualServiceOf(c).Namespace && v.Name == VirtualServiceOf(c).Name
			})
		case GatewayOf(c) != nil && c.Writes():
			gws = replaceGateway(gws, GatewayOf(c))
		case VirtualServiceOf(c) != nil && c.Writes():
			vss = replaceVS(vss, VirtualServiceOf(c))
		}
	}
	after := rules.MergeVirtualHosts(gws, vss)
	var problems []string
	var by []route.ObjectRef
	for _, vs := range vss {
		old := was[route.ObjectRef{Namespace: vs.Namespace, Name: vs.Name}]
		for i, r := range vs.Spec.Http {
			for _, h := range vs.Spec.Hosts {
				s := after.Shadowed(vs, h, i)
				if s == nil || old != nil && routeIndex(old, r) >= 0 && before.Shadowed(old, h, routeIndex(old, r)) != nil {
					continue
				}
				problems = append(problems, fmt.Sprintf("route %s of host %q (virtualservice %s/%s) would be shadowed by %s",
					rules.DescribeMatch(r), h, vs.Namespace, vs.Name, s))
				if ref := (route.ObjectRef{Namespace: s.VirtualService.Namespace, Name: s.VirtualService.Name}); !slices.Contains(by, ref) {
					by = append(by, ref)
				}
			}
		}
	}
	if len(problems) == 0 || force {
		return problems, nil
	}
	return nil, &ShadowError{Problems: problems, By: by}
}

// world is every Gateway and VirtualService the state knows, once each.
func world(st State) ([]*networkingv1.Gateway, []*networkingv1.VirtualService) {
	gws := append(append([]*networkingv1.Gateway(nil), st.Gateways...), st.OtherGateways...)
	seen := map[string]bool{}
	var vss []*networkingv1.VirtualService
	for _, list := range [][]*networkingv1.VirtualService{st.VirtualServices, st.OtherVirtualServices, st.Managed} {
		for _, vs := range list {
			if k := vs.Namespace + "/" + vs.Name; !seen[k] {
				seen[k] = true
				vss = append(vss, vs)
			}
		}
	}
	return gws, vss
}

func replaceGateway(gws []*networkingv1.Gateway, g *networkingv1.Gateway) []*networkingv1.Gateway {
	out := make([]*networkingv1.Gateway, 0, len(gws)+1)
	for _, x := range gws {
		if x.Namespace != g.Namespace || x.Name != g.Name {
			out = append(out, x)
		}
	}
	return append(out, g)
}

func replaceVS(vss []*networkingv1.VirtualService, vs *networkingv1.VirtualService) []*networkingv1.VirtualService {
	out := make([]*networkingv1.VirtualService, 0, len(vss)+1)
	for _, x := range vss {
		if x.Namespace == vs.Namespace && x.Name == vs.Name {
			// An update keeps its creation time, hence its place in Istio's order.
			if vs.CreationTimestamp.IsZero() {
				vs = vs.DeepCopy()
				vs.CreationTimestamp = x.CreationTimestamp
			}
			continue
		}
		out = append(out, x)
	}
	return append(out, vs)
}

// routeIndex finds r (the same name and match) in vs, or -1.
func routeIndex(vs *networkingv1.VirtualService, r *apinet.HTTPRoute) int {
	for i, x := range vs.Spec.Http {
		if x.GetName() == r.GetName() && rules.DescribeMatch(x) == rules.DescribeMatch(r) {
			return i
		}
	}
	return -1
}
