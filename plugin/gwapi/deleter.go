package gwapi

import (
	"context"
	"slices"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// deleter is the Gateway API's side of one delete, over its rounds.
type deleter struct {
	c   *kube.Clients
	req *route.Delete
	p   Progress
}

// Deleter is the Gateway API's side of delete.
func (a *API) Deleter(req *route.Delete) route.Deleter { return &deleter{c: a.c, req: req} }

func (d *deleter) Record(c route.Change) { d.p.Record(c) }

// Plan reads the HTTPRoutes and Gateways (of every namespace, else the
// request's), and what else attaches to the Gateways, and plans the
// removal after the earlier rounds (PlanDeleteAfter).
func (d *deleter) Plan(ctx context.Context) ([]route.Change, []string, error) {
	st, unknown, err := readGatewayState(ctx, d.c, d.req.Namespace, nil)
	if err == nil {
		st.Attached, st.AttachedUnknown, err = readAttached(ctx, d.c, d.req.Namespace)
	}
	if err != nil {
		return nil, nil, err
	}
	changes, warnings := PlanDeleteAfter(d.req, st, unknown, d.p)
	if unknown && slices.ContainsFunc(changes, func(c route.Change) bool { _, ok := c.Object.(*gwv1.HTTPRoute); return ok }) {
		warnings = append(warnings, "cannot list HTTPRoutes in all namespaces (forbidden), so routes of other namespaces may still use the Gateway: it is kept as it is")
	}
	if len(changes) == 0 && len(d.p.Touched) == 0 {
		return nil, warnings, &route.NoRouteError{Service: d.req.Service, Namespace: d.req.Namespace, Filter: route.DescribeFilter(d.req)}
	}
	return changes, warnings, nil
}
