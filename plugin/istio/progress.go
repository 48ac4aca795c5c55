package istio

import (
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// Progress is what the earlier rounds of one delete wrote, for the rounds
// after them (PlanDeleteAfter): a round that lost a race to another
// writer, or that re-reads what it wrote, plans again from a fresh read.
type Progress struct {
	// Touched are the Gateways the routes removed were bound to.
	Touched map[route.ObjectRef]bool
	// Before holds each Gateway this delete changed as it was before its
	// first change.
	Before map[route.ObjectRef]*networkingv1.Gateway
}

// Record adds an applied change of the Istio API to p (other kinds are
// not its own and are ignored).
func (p *Progress) Record(c route.Change) {
	if vs := BeforeVS(c); vs != nil {
		if p.Touched == nil {
			p.Touched = map[route.ObjectRef]bool{}
		}
		for _, g := range rules.BoundGateways(vs) {
			p.Touched[g] = true
		}
	}
	if g := BeforeGateway(c); g != nil {
		if p.Before == nil {
			p.Before = map[route.ObjectRef]*networkingv1.Gateway{}
		}
		ref := route.ObjectRef{Namespace: g.Namespace, Name: g.Name}
		if p.Before[ref] == nil {
			p.Before[ref] = g
		}
	}
}
