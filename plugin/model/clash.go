package model

import (
	"fmt"
	"maps"

	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// GatewayClashes names, for a Gateway the plan creates or extends, the
// Gateways of other namespaces (st.OtherGateways) that select the same pods
// and already serve one of the hosts it adds on the same port: two Gateways
// with the same selector, port and host conflict in Istio.
func GatewayClashes(changes []Change, st State) []string {
	var out []string
	vsNS := ""
	for _, c := range changes {
		if c.VirtualService() != nil {
			vsNS = c.VirtualService().Namespace
		}
	}
	for _, c := range changes {
		if c.Gateway() == nil || (c.Op != OpCreate && c.Op != OpUpdate) {
			continue
		}
		for _, srv := range c.Gateway().Spec.Servers {
			for _, e := range srv.Hosts {
				h := rules.ParseServerHost(e).Host
				if c.BeforeGateway() != nil && rules.ServerOnPortOverlaps(c.BeforeGateway(), srv.GetPort().GetNumber(), h) {
					continue // not added now
				}
				for _, o := range st.OtherGateways {
					if o.Namespace == c.Gateway().Namespace && o.Name == c.Gateway().Name || !maps.Equal(o.Spec.Selector, c.Gateway().Spec.Selector) ||
						!rules.ServerOnPortOverlaps(o, srv.GetPort().GetNumber(), h) {
						continue
					}
					w := fmt.Sprintf("gateway %s/%s also serves host %q on port %d for the same pods (%s): two Gateways with the same selector, port and host conflict",
						o.Namespace, o.Name, h, srv.GetPort().GetNumber(), FormatSelector(o.Spec.Selector))
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
