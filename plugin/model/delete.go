package model

import (
	"fmt"
	"slices"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

// Delete is what `kubectl expose-gw delete SERVICE` asks for.
type Delete struct {
	Service, Namespace string
	Matches            []Match  // empty: every route of the service
	Hosts              []string // empty: every host
}

// PlanDelete removes the service's routes from the tool's VirtualServices
// in the namespace, deletes those left empty, then trims the tool's
// Gateways they were bound to of hosts no VirtualService binds anymore (in
// any namespace: st.Managed) and deletes Gateways left without servers.
// With st.ManagedUnknown, Gateways are left as they are. VirtualService
// changes come first.
func PlanDelete(d *Delete, st State) ([]Change, error) {
	fqdn := ServiceFQDN(d.Service, d.Namespace)
	var changes []Change
	remaining := map[*networkingv1.VirtualService]*networkingv1.VirtualService{} // old -> new (nil: deleted)
	touched := map[ObjectRef]bool{}
	for _, vs := range st.VirtualServices {
		remaining[vs] = vs
		if vs.Namespace != d.Namespace || !IsManaged(vs) {
			continue
		}
		if len(d.Hosts) > 0 && !slices.ContainsFunc(vs.Spec.Hosts, func(h string) bool { return slices.Contains(d.Hosts, h) }) {
			continue
		}
		kept, removed := RemoveRoutes(vs.Spec.Http, fqdn, d.Matches)
		if removed == 0 {
			continue
		}
		for _, g := range BoundGateways(vs) {
			touched[g] = true
		}
		if len(kept) == 0 && len(vs.Spec.Tcp) == 0 && len(vs.Spec.Tls) == 0 {
			remaining[vs] = nil
			changes = append(changes, Change{Op: OpDelete, VirtualService: vs, BeforeVS: vs})
			continue
		}
		next := vs.DeepCopy()
		SetKinds(nil, next)
		next.Spec.Http = kept
		remaining[vs] = next
		changes = append(changes, Change{Op: OpUpdate, VirtualService: next, BeforeVS: vs})
	}
	if len(changes) == 0 {
		return nil, fmt.Errorf("no route of service %s/%s to delete%s", d.Namespace, d.Service, describeFilter(d))
	}
	if st.ManagedUnknown {
		return changes, nil
	}
	for _, vs := range st.Managed {
		if vs.Namespace != d.Namespace { // those of the namespace are in remaining, as planned
			remaining[vs] = vs
		}
	}
	for _, gw := range st.Gateways {
		ref := ObjectRef{Namespace: gw.Namespace, Name: gw.Name}
		if !IsManaged(gw) || !touched[ref] {
			continue
		}
		var used []string
		for _, vs := range remaining {
			if vs != nil && slices.Contains(BoundGateways(vs), ref) {
				used = append(used, vs.Spec.Hosts...)
			}
		}
		next := gw.DeepCopy()
		SetKinds(next)
		if !PruneGateway(next, used) {
			continue
		}
		if len(next.Spec.Servers) == 0 {
			changes = append(changes, Change{Op: OpDelete, Gateway: gw, BeforeGateway: gw})
		} else {
			changes = append(changes, Change{Op: OpUpdate, Gateway: next, BeforeGateway: gw})
		}
	}
	return changes, nil
}

func describeFilter(d *Delete) string {
	s := ""
	if len(d.Matches) > 0 {
		s += fmt.Sprintf(" matching %v", d.Matches)
	}
	if len(d.Hosts) > 0 {
		s += fmt.Sprintf(" on hosts %v", d.Hosts)
	}
	return s
}
