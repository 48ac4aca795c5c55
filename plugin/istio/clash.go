package istio

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// GatewayClashes names, for a Gateway the plan creates or extends, the
// Gateways of other namespaces (st.OtherGateways) that select the same pods
// and already serve one of the hosts it adds on the same port: two Gateways
// with the same selector, port and host conflict in Istio.
func GatewayClashes(changes []route.Change, st State) []string {
	var out []string
	vsNS := ""
	for _, c := range changes {
		if VirtualServiceOf(c) != nil {
			vsNS = VirtualServiceOf(c).Namespace
		}
	}
	for _, c := range changes {
		if GatewayOf(c) == nil || (c.Op != route.OpCreate && c.Op != route.OpUpdate) {
			continue
		}
		for _, srv := range GatewayOf(c).Spec.Servers {
			for _, e := range srv.Hosts {
				h := rules.ParseServerHost(e).Host
				if BeforeGateway(c) != nil && rules.ServerOnPortOverlaps(BeforeGateway(c), srv.GetPort().GetNumber(), h) {
					continue // not added now
				}
				for _, o := range st.OtherGateways {
					if o.Namespace == GatewayOf(c).Namespace && o.Name == GatewayOf(c).Name || !maps.Equal(o.Spec.Selector, GatewayOf(c).Spec.Selector) ||
						!rules.ServerOnPortOverlaps(o, srv.GetPort().GetNumber(), h) {
						continue
					}
					port := srv.GetPort().GetNumber()
					theirs := overlappingEntries(o, port, h)
					var w string
					if slices.ContainsFunc(theirs, func(e string) bool {
						sh := rules.ParseServerHost(e)
						return sh.Namespace == "*" && rules.HostCovers(sh.Host, h)
					}) {
						w = fmt.Sprintf("gateway %s/%s also serves host %q on port %d for the same pods (%s): two Gateways with the same selector, port and host conflict",
							o.Namespace, o.Name, h, port, route.FormatSelector(o.Spec.Selector))
					} else {
						noun := "host"
						if len(theirs) > 1 {
							noun = "hosts"
						}
						w = fmt.Sprintf("gateway %s/%s also has %s %s on port %d for the same pods (%s), overlapping host %q: two Gateways with the same selector, port and overlapping hosts conflict",
							o.Namespace, o.Name, noun, quoted(theirs), port, route.FormatSelector(o.Spec.Selector), h)
					}
					if rules.ServerOnPortAdmits(o, srv.GetPort().GetNumber(), h, vsNS) {
						w += fmt.Sprintf("; consider --gateway %s/%s", o.Namespace, o.Name)
					}
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// overlappingEntries are the hosts entries of g's servers on port, as
// written (maybe "ns/host"), that overlap host, each once.
func overlappingEntries(g *networkingv1.Gateway, port uint32, host string) []string {
	var out []string
	for _, s := range g.Spec.Servers {
		if s.GetPort().GetNumber() != port {
			continue
		}
		for _, e := range s.Hosts {
			if rules.HostsOverlap(rules.ParseServerHost(e).Host, host) && !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// quoted is "a" or "a", "b".
func quoted(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
