package testenv

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// collect deletes what the deployer made for Gateways that are gone, as
// Kubernetes' garbage collector does with objects whose owner was deleted:
// Services, pods, EndpointSlices, ServiceAccounts and kwok PortForwards labelled with a
// gateway name and owned by a Gateway not in live.
func (d *deployer) collect(ctx context.Context, live map[types.UID]bool) error {
	sel := metav1.ListOptions{LabelSelector: GatewayNameLabel}
	orphan := func(m metav1.Object) bool {
		for _, o := range m.GetOwnerReferences() {
			if o.Kind == "Gateway" && o.APIVersion == "gateway.networking.k8s.io/v1" {
				return !live[o.UID]
			}
		}
		return false
	}
	kube := d.e.Kube.CoreV1()
	svcs, err := kube.Services("").List(ctx, sel)
	if err != nil {
		return err
	}
	for _, s := range svcs.Items {
		if orphan(&s) {
			if err := ignoreGone(kube.Services(s.Namespace).Delete(ctx, s.Name, metav1.DeleteOptions{})); err != nil {
				return err
			}
		}
	}
	pods, err := kube.Pods("").List(ctx, sel)
	if err != nil {
		return err
	}
	for _, p := range pods.Items {
		if orphan(&p) {
			// No kubelet finishes the deletion: delete at once.
			if err := ignoreGone(kube.Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))})); err != nil {
				return err
			}
		}
	}
	sas, err := kube.ServiceAccounts("").List(ctx, sel)
	if err != nil {
		return err
	}
	for _, a := range sas.Items {
		if orphan(&a) {
			if err := ignoreGone(kube.ServiceAccounts(a.Namespace).Delete(ctx, a.Name, metav1.DeleteOptions{})); err != nil {
				return err
			}
		}
	}
	eps, err := d.e.Kube.DiscoveryV1().EndpointSlices("").List(ctx, sel)
	if err != nil {
		return err
	}
	for _, es := range eps.Items {
		if orphan(&es) {
			if err := ignoreGone(d.e.Kube.DiscoveryV1().EndpointSlices(es.Namespace).Delete(ctx, es.Name, metav1.DeleteOptions{})); err != nil {
				return err
			}
		}
	}
	pfs, err := d.e.dynamic().Resource(portForwardGVR).Namespace("").List(ctx, sel)
	if err != nil {
		return err
	}
	for _, pf := range pfs.Items {
		if orphan(&pf) {
			if err := ignoreGone(d.e.dynamic().Resource(portForwardGVR).Namespace(pf.GetNamespace()).Delete(ctx, pf.GetName(), metav1.DeleteOptions{})); err != nil {
				return err
			}
		}
	}
	return nil
}

func ignoreGone(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// ensureNode creates the kwok node unless it exists.
func (e *Env) ensureNode(ctx context.Context, name string) error {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{KwokNodeAnnotation: "fake"}}}
	_, err := e.Kube.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// waitPodReady is WaitPodReady returning what went wrong.
func (e *Env) waitPodReady(ctx context.Context, ns, name string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		p, err := e.Kube.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range p.Status.Conditions {
			if p.Status.Phase == corev1.PodRunning && c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pod %s/%s not Ready after 30s (phase %s)", ns, name, p.Status.Phase)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
