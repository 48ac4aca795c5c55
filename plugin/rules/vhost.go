package rules

import (
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

// How Istio builds a gateway's HTTP virtual hosts, as far as the tool's
// verdicts need it (pilot/pkg/networking/core/gateway.go):
//   - HTTP servers on one port of one gateway workload share one route
//     configuration, whatever Gateway object they come from; each
//     terminating HTTPS server has a route configuration of its own;
//   - a VirtualService bound to a Gateway joins every server of it whose
//     hosts intersect its own hosts (a "*" VirtualService joins a server of
//     secure.example.com), in the virtual host named after the narrower of
//     the two hosts, when the server's "ns/" part lets its namespace in;
//   - the virtual hosts of one name are merged, their VirtualServices'
//     routes in order of creation (oldest first), and Envoy takes the first
//     route that matches.
// The workload is told apart by the Gateway's selector; two selectors that
// happen to pick the same pods are not seen as one.

// vhostKey names one virtual host of one route configuration.
type vhostKey struct {
	config string // route configuration: selector and port (HTTP) or the server (HTTPS)
	host   string // virtual host name
}

// contribution is a VirtualService's part of a virtual host.
type contribution struct {
	vs   *networkingv1.VirtualService
	host string // the VirtualService host it came from
}

// routeRef is one route of the merged list of a virtual host.
type routeRef struct {
	vs    *networkingv1.VirtualService
	index int
}

// VirtualHosts is the merged virtual hosts of a set of Gateways and
// VirtualServices.
type VirtualHosts struct {
	routes map[vhostKey][]routeRef
	// of is, per VirtualService (namespace/name) and host, the virtual
	// hosts named after that host that it joined.
	of map[string]map[string][]vhostKey
}

// Shadow says which earlier route of a merged virtual host takes all the
// requests of a route.
type Shadow struct {
	VirtualService ObjectRef
	Match          string // as DescribeMatch
	Destination    string
}

func (s Shadow) String() string {
	return fmt.Sprintf("%s route %s (%s)", s.VirtualService, s.Match, s.Destination)
}

// MergeVirtualHosts merges vss into the virtual hosts of gws as Istio does.
func MergeVirtualHosts(gws []*networkingv1.Gateway, vss []*networkingv1.VirtualService) *VirtualHosts {
	vss = append([]*networkingv1.VirtualService(nil), vss...)
	SortByCreation(vss)
	gws = append([]*networkingv1.Gateway(nil), gws...)
	SortByCreation(gws)
	out := &VirtualHosts{routes: map[vhostKey][]routeRef{}, of: map[string]map[string][]vhostKey{}}
	// The VirtualServices binding each Gateway, oldest first, found once
	// (not once per server: a cluster holds thousands).
	boundBy := map[ObjectRef][]*networkingv1.VirtualService{}
	for _, vs := range vss {
		for _, ref := range BoundGateways(vs) {
			if l := boundBy[ref]; len(l) == 0 || l[len(l)-1] != vs {
				boundBy[ref] = append(l, vs)
			}
		}
	}
	// As pilot builds a route configuration: its servers in the order of
	// the Gateways (oldest first), each server's VirtualServices oldest first.
	for _, g := range gws {
		ref := ObjectRef{Namespace: g.Namespace, Name: g.Name}
		for i, srv := range g.Spec.Servers {
			cfg, ok := RouteConfig(g, i, srv)
			if !ok {
				continue
			}
			for _, vs := range boundBy[ref] {
				name := vs.Namespace + "/" + vs.Name
				for _, h := range vs.Spec.Hosts {
					h = strings.ToLower(h)
					for _, vh := range VirtualHostNames(srv.GetHosts(), g.Namespace, vs.Namespace, h) {
						vh = strings.ToLower(vh)
						k := vhostKey{cfg, vh}
						if vh == h {
							if out.of[name] == nil {
								out.of[name] = map[string][]vhostKey{}
							}
							out.of[name][h] = appendKey(out.of[name][h], k)
						}
						if !joined(out.routes[k], vs) {
							for ri, r := range vs.Spec.Http {
								out.routes[k] = append(out.routes[k], routeRef{vs, ri})
								if CatchAll(r) {
									break // pilot drops the routes after a catch-all
								}
							}
						}
					}
				}
			}
		}
	}
	// Then pilot moves the catch-all routes (prefix "/", no header or query
	// match) of the merged virtual host after all others
	// (route.SortVHostRoutes): an older VirtualService's "/" does not take
	// a newer one's "/shop".
	for k, refs := range out.routes {
		sort.SliceStable(refs, func(a, b int) bool { return !CatchAll(refs[a].route()) && CatchAll(refs[b].route()) })
		out.routes[k] = refs
	}
	return out
}

func (r routeRef) route() *apinet.HTTPRoute { return r.vs.Spec.Http[r.index] }

// CatchAll is true for a route that takes every request of its virtual
// host: no match, or a match on nothing but a uri prefix "/" or regex
// ".*" (pilot's route.IsCatchAllRoute on what the route translates to).
// Pilot drops the routes of a VirtualService after its first catch-all
// (route.BuildHTTPRoutesForVirtualService), and moves the catch-alls of a
// merged virtual host after the other routes (route.SortVHostRoutes).
func CatchAll(r *apinet.HTTPRoute) bool {
	if MatchAll(r) {
		return true
	}
	for _, m := range r.GetMatch() {
		if catchAllMatch(m) {
			return true
		}
	}
	return false
}

func catchAllMatch(m *apinet.HTTPMatchRequest) bool {
	if m.Scheme != nil || m.Method != nil || m.Authority != nil || len(m.Headers) > 0 || len(m.QueryParams) > 0 ||
		len(m.WithoutHeaders) > 0 || m.Port != 0 || len(m.SourceLabels) > 0 || len(m.Gateways) > 0 || m.SourceNamespace != "" {
		return false
	}
	u := m.GetUri()
	return u == nil || u.GetPrefix() == "/" || u.GetRegex() == ".*"
}

func appendKey(ks []vhostKey, k vhostKey) []vhostKey {
	for _, x := range ks {
		if x == k {
			return ks
		}
	}
	return append(ks, k)
}

func joined(refs []routeRef, vs *networkingv1.VirtualService) bool {
	for _, r := range refs {
		if r.vs == vs {
			return true
		}
	}
	return false
}

// SortByCreation is the order in which pilot merges Gateways and
// VirtualServices (model.sortConfigByCreationTime): oldest first, then by
// name and namespace. Objects not written yet (no timestamp) come last.
func SortByCreation[T metav1.Object](objs []T) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		at, bt := a.GetCreationTimestamp(), b.GetCreationTimestamp()
		if az, bz := at.IsZero(), bt.IsZero(); az != bz {
			return bz
		}
		if !at.Equal(&bt) {
			return at.Before(&bt)
		}
		if a.GetName() != b.GetName() {
			return a.GetName() < b.GetName()
		}
		return a.GetNamespace() < b.GetNamespace()
	})
}

// Shadowed is the earlier route that takes every request of route i of vs
// for its host h, in a virtual host named h that vs joined; nil when
// Istio sends the route's requests to it.
func (v *VirtualHosts) Shadowed(vs *networkingv1.VirtualService, h string, i int) *Shadow {
	for _, k := range v.of[vs.Namespace+"/"+vs.Name][strings.ToLower(h)] {
		refs := v.routes[k]
		pos := -1
		for p, r := range refs {
			if r.vs == vs && r.index == i {
				pos = p
				break
			}
		}
		if pos < 0 {
			continue
		}
		me := vs.Spec.Http[i]
		m, ok := MatchOf(me)
		for _, r := range refs[:pos] {
			earlier := r.vs.Spec.Http[r.index]
			if mi, oki := MatchOf(earlier); MatchAll(earlier) || ok && oki && mi.Covers(m) {
				return &Shadow{VirtualService: ObjectRef{Namespace: r.vs.Namespace, Name: r.vs.Name},
					Match: DescribeMatch(earlier), Destination: joinedOr(Destinations(earlier), "<none>")}
			}
		}
	}
	return nil
}

// joinedOr is s joined with commas, or empty when there is none.
func joinedOr(s []string, empty string) string {
	if len(s) == 0 {
		return empty
	}
	return strings.Join(s, ",")
}
