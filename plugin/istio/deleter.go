package istio

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// deleter is the Istio API's side of one delete, over its rounds.
type deleter struct {
	c   *kube.Clients
	req *route.Delete
	p   Progress
}

// Deleter is the Istio API's side of delete.
func (a *API) Deleter(req *route.Delete) route.Deleter { return &deleter{c: a.c, req: req} }

func (d *deleter) Record(c route.Change) { d.p.Record(c) }

// Plan reads the namespace's Gateways and every VirtualService (else the
// namespace's) and plans the removal after the earlier rounds
// (PlanDeleteAfter). Its warnings come with a *route.NoRouteError too:
// another API may have routes to delete.
func (d *deleter) Plan(ctx context.Context) ([]route.Change, []string, error) {
	st, err := readDeleteState(ctx, d.c, d.req.Namespace)
	if err != nil {
		return nil, nil, err
	}
	changes, err := PlanDeleteAfter(d.req, st, d.p)
	var none *route.NoRouteError
	if err != nil && !errors.As(err, &none) {
		return nil, nil, err
	}
	return changes, warnings(d.req, st, changes), err
}

// warnings say what the plan applied leaves that the user may not
// expect: the Gateway kept when other namespaces cannot be read, the
// service's routes in VirtualServices the tool does not manage (without
// --force), and those VirtualServices left as they are because they would
// have no route left (with --force).
func warnings(d *route.Delete, st State, changes []route.Change) []string {
	var out []string
	if st.ManagedUnknown && prunes(d, st) {
		out = append(out, "cannot list VirtualServices in all namespaces (forbidden), so routes of other namespaces may still use the Gateway: it is kept as it is")
	}
	if !d.Force {
		if rs := UnmanagedRoutes(d, st); len(rs) > 0 {
			out = append(out, fmt.Sprintf("service %s/%s also has routes in VirtualServices kubectl-expose-gw does not manage (written there by expose --force): %s; add --force to remove them too",
				d.Namespace, d.Service, strings.Join(rs, ", ")))
		}
	}
	for _, c := range changes {
		if KeptWhole(c) {
			vs := VirtualServiceOf(c)
			out = append(out, fmt.Sprintf("virtualservice %s/%s (not managed by kubectl-expose-gw) would be left without routes, which Istio rejects: it is left as it is, with the routes of %s; delete it yourself (kubectl delete virtualservice %s -n %s) if it is no longer needed",
				vs.Namespace, vs.Name, d.Service, vs.Name, vs.Namespace))
		}
	}
	return out
}

// prunes is whether the plan would change a Gateway if only the namespace
// counted: what is kept when the other namespaces cannot be read.
func prunes(d *route.Delete, st State) bool {
	st.ManagedUnknown = false
	changes, err := PlanDelete(d, st)
	return err == nil && slices.ContainsFunc(changes, func(c route.Change) bool { return GatewayOf(c) != nil })
}
