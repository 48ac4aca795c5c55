package kube

import (
	"context"
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

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
	n := 0
	for _, s := range l.Items {
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
	return n, nil
}
