package plugin

import (
	"cmp"
	"context"
	"sync"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
)

// readAll gets the Service and the namespace's Gateways and VirtualServices
// at once.
func (o *ExposeOptions) readAll(ctx context.Context) (*corev1.Service, model.State, error) {
	var (
		svc    *corev1.Service
		svcErr error
		wg     sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		svc, svcErr = getService(ctx, o.Clients.Kube, o.req.Target.Namespace, o.req.Target.Service, o.suggestions)
	}()
	st, err := o.readState(ctx)
	wg.Wait()
	if svcErr != nil {
		return nil, st, svcErr
	}
	return svc, st, err
}

// readState reads the namespace's Gateways and VirtualServices, the
// --gateway one, and the Gateways of other namespaces, in parallel.
func (o *ExposeOptions) readState(ctx context.Context) (model.State, error) {
	return readState(ctx, o.Clients, o.req.Target.Namespace, o.req.Gateway, true)
}

// readState lists the Gateways and VirtualServices of ns, and gets gw when
// it lives elsewhere. With wide, the Gateways are listed in every namespace
// in the same single request (st.OtherGateways), or in ns alone when that
// is forbidden.
func readState(ctx context.Context, c *Clients, ns string, gw *model.ObjectRef, wide bool) (model.State, error) {
	var (
		st           model.State
		gwErr, vsErr error
		extErr       error
		ext          *networkingv1.Gateway
		wg           sync.WaitGroup
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		if wide {
			l, err := c.Istio.NetworkingV1().Gateways(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
			if err == nil {
				for _, g := range l.Items {
					if g.Namespace == ns {
						st.Gateways = append(st.Gateways, g)
					} else {
						st.OtherGateways = append(st.OtherGateways, g)
					}
				}
				return
			}
			st.OthersUnknown = true
			if !apierrors.IsForbidden(err) {
				gwErr = ExplainAPIError(err, "list", gatewaysResource)
				return
			}
		}
		l, err := c.Istio.NetworkingV1().Gateways(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			gwErr = ExplainAPIError(err, "list", gatewaysResource)
			return
		}
		st.Gateways = l.Items
	}()
	go func() {
		defer wg.Done()
		if wide {
			l, err := c.Istio.NetworkingV1().VirtualServices(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
			if err == nil {
				for _, v := range l.Items {
					if v.Namespace == ns {
						st.VirtualServices = append(st.VirtualServices, v)
					} else {
						st.OtherVirtualServices = append(st.OtherVirtualServices, v)
					}
				}
				return
			}
			st.OthersUnknown = true
			if !apierrors.IsForbidden(err) {
				vsErr = ExplainAPIError(err, "list", virtualServicesResource)
				return
			}
		}
		l, err := c.Istio.NetworkingV1().VirtualServices(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			vsErr = ExplainAPIError(err, "list", virtualServicesResource)
			return
		}
		st.VirtualServices = l.Items
	}()
	if gw != nil && gw.Namespace != ns {
		g, err := c.Istio.NetworkingV1().Gateways(gw.Namespace).Get(ctx, gw.Name, metav1.GetOptions{})
		switch {
		case err == nil:
			ext = g
		case apierrors.IsNotFound(err) && retryable(err):
			// not there yet: the plan creates it
		default:
			extErr = ExplainAPIError(err, "get", gatewaysResource)
		}
	}
	wg.Wait()
	if err := cmp.Or(gwErr, vsErr, extErr); err != nil {
		return st, err
	}
	if ext != nil {
		st.Gateways = append(st.Gateways, ext)
	}
	return st, nil
}

// readDeleteState reads the Gateways of the namespace and every
// VirtualService (those of other namespaces may bind its Gateways) in one
// request; when that is forbidden, those of the namespace, with
// ManagedUnknown set.
func readDeleteState(ctx context.Context, c *Clients, ns string) (model.State, error) {
	var (
		st           model.State
		gwErr, vsErr error
		wg           sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		l, err := c.Istio.NetworkingV1().Gateways(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			gwErr = ExplainAPIError(err, "list", gatewaysResource)
			return
		}
		st.Gateways = l.Items
	}()
	all, err := c.Istio.NetworkingV1().VirtualServices(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	switch {
	case err == nil:
		for _, v := range all.Items {
			if v.Namespace == ns {
				st.VirtualServices = append(st.VirtualServices, v)
			} else {
				st.OtherVirtualServices = append(st.OtherVirtualServices, v)
			}
		}
	case apierrors.IsForbidden(err):
		st.ManagedUnknown = true
		var l *networkingv1.VirtualServiceList
		if l, err = c.Istio.NetworkingV1().VirtualServices(ns).List(ctx, metav1.ListOptions{}); err != nil {
			vsErr = ExplainAPIError(err, "list", virtualServicesResource)
		} else {
			st.VirtualServices = l.Items
		}
	default:
		vsErr = ExplainAPIError(err, "list", virtualServicesResource)
	}
	wg.Wait()
	return st, cmp.Or(gwErr, vsErr)
}
