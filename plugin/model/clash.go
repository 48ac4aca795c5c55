package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

// GatewayClashes names, for a Gateway the plan creates or extends, the
// Gateways of other namespaces (st.OtherGateways) that select the same pods
// and already serve one of the hosts it adds on the same port: two Gateways
// with the same selector, port and host conflict in Istio.
func GatewayClashes(changes []Change, st State) []string {
	var out []string
	vsNS := ""
	for _, c := range changes {
		if c.VirtualService != nil {
			vsNS = c.VirtualService.Namespace
		}
	}
	for _, c := range changes {
		if c.Gateway == nil || (c.Op != OpCreate && c.Op != OpUpdate) {
			continue
		}
		for _, srv := range c.Gateway.Spec.Servers {
			for _, h := range srv.Hosts {
				if c.BeforeGateway != nil && servesOnPort(c.BeforeGateway, srv.GetPort().GetNumber(), h) {
					continue // not added now
				}
				for _, o := range st.OtherGateways {
					if o.Namespace == c.Gateway.Namespace && o.Name == c.Gateway.Name || !maps.Equal(o.Spec.Selector, c.Gateway.Spec.Selector) ||
						!servesOnPort(o, srv.GetPort().GetNumber(), h) {
						continue
					}
					w := fmt.Sprintf("gateway %s/%s also serves host %q on port %d for the same pods (%s): two Gateways with the same selector, port and host conflict",
						o.Namespace, o.Name, h, srv.GetPort().GetNumber(), FormatSelector(o.Spec.Selector))
					if admitsOnPort(o, srv.GetPort().GetNumber(), h, vsNS) {
						w += fmt.Sprintf("; consider --gateway %s/%s", o.Namespace, o.Name)
					}
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// admitsOnPort is true when a server of g on port takes host for a
// VirtualService of namespace vsNS (its "ns/" part lets that namespace in):
// only then is --gateway g a way out.
func admitsOnPort(g *networkingv1.Gateway, port uint32, host, vsNS string) bool {
	return slices.ContainsFunc(g.Spec.Servers, func(s *apinet.Server) bool {
		return s.GetPort().GetNumber() == port && slices.ContainsFunc(s.Hosts, func(e string) bool {
			return ServerHostAdmits(e, host, vsNS, g.Namespace)
		})
	})
}

// servesOnPort is true when a server of g on port overlaps host.
func servesOnPort(g *networkingv1.Gateway, port uint32, host string) bool {
	return slices.ContainsFunc(g.Spec.Servers, func(s *apinet.Server) bool {
		return s.GetPort().GetNumber() == port && slices.ContainsFunc(s.Hosts, func(e string) bool {
			eh := e
			if _, h, ok := strings.Cut(e, "/"); ok {
				eh = h
			}
			return ServerHostServes(e, host) || ServerHostServes(host, eh)
		})
	})
}
