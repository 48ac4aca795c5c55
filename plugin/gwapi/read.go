package gwapi

import (
	"cmp"
	"context"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// readGatewayState reads the Gateway API objects a plan needs, in
// parallel: Gateways and HTTPRoutes of every namespace (of ns, and the
// gw one, when that is forbidden: othersUnknown), the GatewayClasses and
// ns's labels (when those cannot be read, the plan takes the class by its
// name and the namespace's name label).
func readGatewayState(ctx context.Context, c *kube.Clients, ns string, gw *route.ObjectRef) (st State, othersUnknown bool, err error) {
	var (
		wg                   sync.WaitGroup
		gwErr, rtErr         error
		gwUnknown, rtUnknown bool
	)
	wg.Add(4)
	go func() {
		defer wg.Done()
		st.Gateways, gwUnknown, gwErr = kube.ListWide(ctx, ns, GatewaysResource, ListGateways(ctx, c))
		if gwErr == nil && gwUnknown && gw != nil && gw.Namespace != ns {
			g, err := c.Gateway.Gateways(gw.Namespace).Get(ctx, gw.Name, metav1.GetOptions{})
			switch {
			case err == nil:
				st.Gateways = append(st.Gateways, g)
			case !apierrors.IsNotFound(err):
				gwErr = kube.ExplainAPIError(err, "get", GatewaysResource)
			}
		}
	}()
	go func() {
		defer wg.Done()
		st.Routes, rtUnknown, rtErr = kube.ListWide(ctx, ns, HTTPRoutesResource, ListHTTPRoutes(ctx, c))
	}()
	go func() {
		defer wg.Done()
		st.Classes = gatewayClasses(ctx, c)
	}()
	go func() {
		defer wg.Done()
		if n, err := c.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err == nil {
			st.NamespaceLabels = n.Labels
		}
	}()
	wg.Wait()
	return st, gwUnknown || rtUnknown, cmp.Or(gwErr, rtErr)
}

// gatewayClasses are the GatewayClasses' controllers by name, nil when
// they cannot be read (the plans then take a class by its name, "istio").
func gatewayClasses(ctx context.Context, c *kube.Clients) map[string]string {
	l, err := c.Gateway.GatewayClasses().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, gc := range l.Items {
		out[gc.Name] = string(gc.Spec.ControllerName)
	}
	return out
}
