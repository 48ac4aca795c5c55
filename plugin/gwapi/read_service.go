package gwapi

import (
	"context"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// The readers of url and proxy: one request after the other, so their
// number and order do not depend on timing or on the cluster's size.

// serviceGatewayState reads what ServiceRoutes needs for Service
// ns/name: the HTTPRoutes of ns; when one has a backendRef to the
// Service, the Gateways they name (and --gateway), the GatewayClasses
// and, for a listener selecting namespaces, ns's labels. A cluster
// without the Gateway API is a *NotServedError.
func serviceGatewayState(ctx context.Context, c *kube.Clients, ns, name string, gw *route.ObjectRef) (State, error) {
	var st State
	routes, err := ListHTTPRoutes(ctx, c)(ns)
	if err != nil {
		return st, kube.ExplainAPIError(err, "list", HTTPRoutesResource)
	}
	var refs []route.ObjectRef
	if gw != nil {
		refs = append(refs, *gw)
	}
	for _, r := range routes {
		st.Routes = append(st.Routes, r)
		if !RoutesTo(r, ns, name) {
			continue
		}
		for _, p := range r.Spec.ParentRefs {
			if ref, ok := ParentGateway(p, r.Namespace); ok && !slices.Contains(refs, ref) {
				refs = append(refs, ref)
			}
		}
	}
	if len(refs) == 0 {
		return st, nil
	}
	for _, ref := range refs {
		g, err := c.Gateway.Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return st, kube.ExplainAPIError(err, "get", GatewaysResource)
		default:
			st.Gateways = append(st.Gateways, g)
		}
	}
	return st, readClassesAndLabels(ctx, c, ns, &st)
}

// gatewaysState reads the Gateways of every namespace (of ns and the
// --gateway one when that is forbidden: unknown) and the GatewayClasses:
// what ChooseGateway needs.
func gatewaysState(ctx context.Context, c *kube.Clients, ns string, gw *route.ObjectRef) (st State, unknown bool, err error) {
	gws, unknown, err := kube.ListWide(ctx, ns, GatewaysResource, ListGateways(ctx, c))
	if err != nil {
		return st, unknown, err
	}
	st.Gateways = gws
	if unknown && gw != nil && gw.Namespace != ns {
		g, err := c.Gateway.Gateways(gw.Namespace).Get(ctx, gw.Name, metav1.GetOptions{})
		switch {
		case err == nil:
			st.Gateways = append(st.Gateways, g)
		case !apierrors.IsNotFound(err):
			return st, unknown, kube.ExplainAPIError(err, "get", GatewaysResource)
		}
	}
	if len(st.Gateways) == 0 {
		return st, unknown, nil
	}
	return st, unknown, readClassesAndLabels(ctx, c, "", &st)
}

// readClassesAndLabels adds the GatewayClasses (unreadable: classes are
// taken by name) and, when ns is given and a listener selects namespaces,
// ns's labels.
func readClassesAndLabels(ctx context.Context, c *kube.Clients, ns string, st *State) error {
	st.Classes = gatewayClasses(ctx, c)
	if ns == "" || !selectsNamespaces(st.Gateways) {
		return nil
	}
	if n, err := c.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err == nil {
		st.NamespaceLabels = n.Labels
	}
	return nil
}

func selectsNamespaces(gws []*gwv1.Gateway) bool {
	for _, g := range gws {
		for _, l := range g.Spec.Listeners {
			if ar := l.AllowedRoutes; ar != nil && ar.Namespaces != nil && ar.Namespaces.From != nil && *ar.Namespaces.From == gwv1.NamespacesFromSelector {
				return true
			}
		}
	}
	return false
}
