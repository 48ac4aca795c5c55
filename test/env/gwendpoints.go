package testenv

import (
	"context"
	"reflect"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// ensureEndpoints plays the EndpointSlice controller (there is no
// controller-manager) for the Service of gw: one slice with the gateway
// pod's IP once it is Ready. Istio reads a Gateway's addresses only from a
// Service with endpoints ("no instances found for hostname" otherwise).
func (d *deployer) ensureEndpoints(ctx context.Context, gw *gatewayv1.Gateway, svc, pod string, ports []corev1.ServicePort) error {
	p, err := d.e.Kube.CoreV1().Pods(gw.Namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return err
	}
	var eps []discoveryv1.Endpoint
	if p.Status.PodIP != "" {
		eps = []discoveryv1.Endpoint{{
			Addresses:  []string{p.Status.PodIP},
			Conditions: discoveryv1.EndpointConditions{Ready: ptr(true), Serving: ptr(true), Terminating: ptr(false)},
			NodeName:   ptr(p.Spec.NodeName),
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID},
		}}
	}
	var eports []discoveryv1.EndpointPort
	for _, sp := range ports {
		eports = append(eports, discoveryv1.EndpointPort{Name: ptr(sp.Name), Port: ptr(sp.TargetPort.IntVal),
			Protocol: ptr(sp.Protocol), AppProtocol: sp.AppProtocol})
	}
	slices := d.e.Kube.DiscoveryV1().EndpointSlices(gw.Namespace)
	name := svc + "-gw"
	cur, err := slices.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		l := labels(gw, false)
		l[discoveryv1.LabelServiceName] = svc
		l[discoveryv1.LabelManagedBy] = "endpointslice-controller.k8s.io"
		es := &discoveryv1.EndpointSlice{
			ObjectMeta:  metav1.ObjectMeta{Name: name, Namespace: gw.Namespace, Labels: l, OwnerReferences: owner(gw)},
			AddressType: discoveryv1.AddressTypeIPv4, Endpoints: eps, Ports: eports,
		}
		_, err = slices.Create(ctx, es, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	if reflect.DeepEqual(cur.Endpoints, eps) && reflect.DeepEqual(cur.Ports, eports) {
		return nil
	}
	cur.Endpoints, cur.Ports = eps, eports
	_, err = slices.Update(ctx, cur, metav1.UpdateOptions{})
	return err
}
