package istio

import (
	"cmp"
	"context"
	"sync"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apply"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// readAll gets the Service and the namespace's Gateways and VirtualServices
// at once.
func (x *istioExpose) readAll(ctx context.Context) (*corev1.Service, State, error) {
	var (
		svc    *corev1.Service
		svcErr error
		wg     sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		svc, svcErr = kube.GetService(ctx, x.c.Kube, x.in.Req.Target.Namespace, x.in.Req.Target.Service, x.in.Suggestions)
	}()
	st, err := x.readState(ctx)
	wg.Wait()
	if svcErr != nil {
		return nil, st, svcErr
	}
	return svc, st, err
}

// readState reads the namespace's Gateways and VirtualServices, the
// --gateway one, and the Gateways of other namespaces, in parallel.
func (x *istioExpose) readState(ctx context.Context) (State, error) {
	return readState(ctx, x.c, x.in.Req.Target.Namespace, x.in.Req.Gateway)
}

// readState lists the Gateways and VirtualServices of ns, and gets gw when
// it lives elsewhere. Both are listed in every namespace (the others in
// st.OtherGateways, st.OtherVirtualServices), or in ns alone when that is
// forbidden (st.OthersUnknown).
func readState(ctx context.Context, c *kube.Clients, ns string, gw *route.ObjectRef) (State, error) {
	var (
		st                   State
		gws                  []*networkingv1.Gateway
		vss                  []*networkingv1.VirtualService
		gwErr, vsErr, extErr error
		gwUnknown, vsUnknown bool
		ext                  *networkingv1.Gateway
		wg                   sync.WaitGroup
	)
	wg.Go(func() {
		gws, gwUnknown, gwErr = kube.ListWide(ctx, ns, GatewaysResource, ListGateways(ctx, c))
	})
	wg.Go(func() {
		vss, vsUnknown, vsErr = kube.ListWide(ctx, ns, VirtualServicesResource, ListVirtualServices(ctx, c))
	})
	if gw != nil && gw.Namespace != ns {
		g, err := c.Istio.NetworkingV1().Gateways(gw.Namespace).Get(ctx, gw.Name, metav1.GetOptions{})
		switch {
		case err == nil:
			ext = g
		case apierrors.IsNotFound(err) && apply.Retryable(err):
			// not there yet: the plan creates it
		default:
			extErr = kube.ExplainAPIError(err, "get", GatewaysResource)
		}
	}
	wg.Wait()
	if err := cmp.Or(gwErr, vsErr, extErr); err != nil {
		return st, err
	}
	st.Gateways, st.OtherGateways = kube.InNamespace(gws, ns)
	st.VirtualServices, st.OtherVirtualServices = kube.InNamespace(vss, ns)
	st.OthersUnknown = gwUnknown || vsUnknown
	if ext != nil {
		st.Gateways = append(st.Gateways, ext)
	}
	return st, nil
}

// readDeleteState reads the Gateways of the namespace and every
// VirtualService (those of other namespaces may bind its Gateways); when
// that is forbidden, those of the namespace, with ManagedUnknown set.
func readDeleteState(ctx context.Context, c *kube.Clients, ns string) (State, error) {
	var (
		st           State
		vss          []*networkingv1.VirtualService
		gwErr, vsErr error
		wg           sync.WaitGroup
	)
	wg.Go(func() {
		st.Gateways, gwErr = ListGateways(ctx, c)(ns)
		gwErr = kube.ExplainAPIError(gwErr, "list", GatewaysResource)
	})
	vss, st.ManagedUnknown, vsErr = kube.ListWide(ctx, ns, VirtualServicesResource, ListVirtualServices(ctx, c))
	wg.Wait()
	st.VirtualServices, st.OtherVirtualServices = kube.InNamespace(vss, ns)
	return st, cmp.Or(gwErr, vsErr)
}
