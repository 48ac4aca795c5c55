package diagnose

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// ServiceOf reads a backend host "NAME.NS.svc.cluster.local" as Service
// NS/NAME; false for a host outside the cluster.
func ServiceOf(host string) (ns, name string, ok bool) {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(parts) != 5 || parts[2] != "svc" || parts[3]+"."+parts[4] != rules.ClusterDomain {
		return "", "", false
	}
	return parts[1], parts[0], true
}

// Lookup resolves backends in the cluster: the Service, its port (the
// only one when the backend names none) and its ready endpoints (two
// requests). missing is the gateway's answer for a backend it cannot
// send to (Istio: 503; Gateway API: 500). A read that fails for another
// reason than not found is the problem it reports.
func Lookup(ctx context.Context, c kube.Kube, missing int) func(envoy.Backend) Target {
	get := func(ns, name string) (*corev1.Service, error) {
		return c.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	}
	ready := func(svc *corev1.Service, sp corev1.ServicePort) (int, error) {
		return kube.ReadyEndpoints(ctx, c, svc, sp)
	}
	return lookup(get, ready, missing)
}

// Catalog is Lookup over the cluster's Services and EndpointSlices read
// once (two paged lists, whatever the number of backends: lint's), or
// Lookup when they may not be listed in every namespace.
func Catalog(ctx context.Context, c kube.Kube, missing int) (func(envoy.Backend) Target, error) {
	svcs, err := kube.ListServices(ctx, c)
	if err != nil {
		if apierrors.IsForbidden(err) {
			return Lookup(ctx, c, missing), nil
		}
		return nil, err
	}
	eps, err := kube.ListEndpointSlices(ctx, c)
	if err != nil {
		if apierrors.IsForbidden(err) {
			return Lookup(ctx, c, missing), nil
		}
		return nil, err
	}
	byName := map[string]*corev1.Service{}
	for _, s := range svcs {
		byName[s.Namespace+"/"+s.Name] = s
	}
	get := func(ns, name string) (*corev1.Service, error) {
		if s, ok := byName[ns+"/"+name]; ok {
			return s, nil
		}
		return nil, apierrors.NewNotFound(corev1.Resource("services"), name)
	}
	bySvc := map[string][]discoveryv1.EndpointSlice{}
	for _, e := range eps {
		k := e.Namespace + "/" + e.Labels[discoveryv1.LabelServiceName]
		bySvc[k] = append(bySvc[k], e)
	}
	ready := func(svc *corev1.Service, sp corev1.ServicePort) (int, error) {
		return kube.CountReady(bySvc[svc.Namespace+"/"+svc.Name], svc, sp), nil
	}
	return lookup(get, ready, missing), nil
}

func lookup(get func(ns, name string) (*corev1.Service, error), readyEndpoints func(*corev1.Service, corev1.ServicePort) (int, error), missing int) func(envoy.Backend) Target {
	return func(b envoy.Backend) Target {
		port := b.Port
		if port == 0 {
			port = b.ListenPort // pilot's cluster port, unless the Service has exactly one
		}
		ns, name, ok := ServiceOf(b.Host)
		if !ok {
			return Target{Port: int32(port), Problem: fmt.Sprintf("%s is not a Service of the cluster (explain reads no ServiceEntry)", b.Host), Status: 503}
		}
		svc, err := get(ns, name)
		switch {
		case apierrors.IsNotFound(err):
			return Target{Port: int32(port), Problem: fmt.Sprintf("no Service %s/%s", ns, name), Status: missing,
				Fix: fmt.Sprintf("create Service %s/%s or point the rule at an existing one (kubectl -n %s get services)", ns, name, ns)}
		case err != nil:
			return Target{Port: int32(port), Problem: fmt.Sprintf("reading Service %s/%s: %v", ns, name, err), Status: missing}
		}
		if b.Port == 0 && len(svc.Spec.Ports) == 1 {
			port = uint32(svc.Spec.Ports[0].Port)
		}
		sp, ok := servicePort(svc, port)
		if !ok {
			return Target{Port: int32(port), Problem: fmt.Sprintf("Service %s/%s has no port %d (ports: %s)", ns, name, port, portList(svc)), Status: missing,
				Fix: fmt.Sprintf("use one of the ports of Service %s/%s: %s", ns, name, portList(svc))}
		}
		n, err := readyEndpoints(svc, sp)
		if err != nil {
			return Target{Port: sp.Port, Problem: fmt.Sprintf("reading the EndpointSlices of Service %s/%s: %v", ns, name, err), Status: 503}
		}
		return Target{Port: sp.Port, Ready: n}
	}
}

func servicePort(svc *corev1.Service, port uint32) (corev1.ServicePort, bool) {
	for _, p := range svc.Spec.Ports {
		if uint32(p.Port) == port {
			return p, true
		}
	}
	return corev1.ServicePort{}, false
}

func portList(svc *corev1.Service) string {
	var ps []string
	for _, p := range svc.Spec.Ports {
		ps = append(ps, fmt.Sprint(p.Port))
	}
	if len(ps) == 0 {
		return "none"
	}
	return strings.Join(ps, ", ")
}
