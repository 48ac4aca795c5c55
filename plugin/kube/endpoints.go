package kube

import (
	"context"
	"encoding/json"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ListServices lists the Services of every namespace, paged.
func ListServices(ctx context.Context, c Kube) ([]*corev1.Service, error) {
	l, err := Paged(ctx, func(o metav1.ListOptions) (*corev1.ServiceList, error) { return c.CoreV1().Services("").List(ctx, o) },
		func(l *corev1.ServiceList) []corev1.Service { return l.Items })
	return Pointers(l), err
}

// ListEndpointSlices lists the EndpointSlices of every namespace, paged.
func ListEndpointSlices(ctx context.Context, c Kube) ([]discoveryv1.EndpointSlice, error) {
	return Paged(ctx, func(o metav1.ListOptions) (*discoveryv1.EndpointSliceList, error) {
		req := c.CoreV1().RESTClient().Get().AbsPath("/apis/discovery.k8s.io/v1/endpointslices").Param("limit", strconv.FormatInt(o.Limit, 10))
		if o.Continue != "" {
			req = req.Param("continue", o.Continue)
		}
		if o.ResourceVersion != "" {
			req = req.Param("resourceVersion", o.ResourceVersion)
		}
		b, err := req.DoRaw(ctx)
		if err != nil {
			return nil, err
		}
		var l discoveryv1.EndpointSliceList
		return &l, json.Unmarshal(b, &l)
	}, func(l *discoveryv1.EndpointSliceList) []discoveryv1.EndpointSlice { return l.Items })
}

// CountReady counts the ready endpoints of port sp of svc in slices (those
// of any Service: the label kubernetes.io/service-name picks svc's).
func CountReady(slices []discoveryv1.EndpointSlice, svc *corev1.Service, sp corev1.ServicePort) int {
	n := 0
	for _, s := range slices {
		if s.Namespace != svc.Namespace || s.Labels[discoveryv1.LabelServiceName] != svc.Name {
			continue
		}
		has := false
		for _, p := range s.Ports {
			if p.Name != nil && *p.Name == sp.Name || p.Name == nil && sp.Name == "" {
				has = true
			}
		}
		if !has {
			continue
		}
		for _, e := range s.Endpoints {
			if e.Conditions.Ready == nil || *e.Conditions.Ready {
				n++
			}
		}
	}
	return n
}

// ReadyEndpoints counts the ready endpoints of port sp of Service svc:
// those of its EndpointSlices (label kubernetes.io/service-name) that
// carry the port's name and are not marked unready. One list request.
func ReadyEndpoints(ctx context.Context, c Kube, svc *corev1.Service, sp corev1.ServicePort) (int, error) {
	b, err := c.CoreV1().RESTClient().Get().AbsPath("/apis/discovery.k8s.io/v1/namespaces", svc.Namespace, "endpointslices").
		Param("labelSelector", discoveryv1.LabelServiceName+"="+svc.Name).DoRaw(ctx)
	if err != nil {
		return 0, err
	}
	var l discoveryv1.EndpointSliceList
	if err := json.Unmarshal(b, &l); err != nil {
		return 0, err
	}
	return CountReady(l.Items, svc, sp), nil
}
