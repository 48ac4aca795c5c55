package resolve

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// FindIngress chooses the ingress gateway Service for o:
//
//  1. --ingress-service (in --ingress-namespace, default istio-system) when given;
//  2. else the Services selecting the pods that match the Gateway selector,
//     in whatever namespace those pods run (Running pods first); without a
//     selector, the pods of istio=ingressgateway, else of the one ingress
//     gateway found by its pods' istio label (FindGateway);
//  3. else, for the default selector only, istio-system/istio-ingressgateway.
//
// Its requests do not depend on the size of the cluster: pod lists by
// label selector, one Service list per namespace holding gateway pods.
func FindIngress(ctx context.Context, kube kube.Kube, o Options) (*Ingress, error) {
	if o.Service != "" {
		return namedIngress(ctx, kube, o)
	}
	g, err := FindGateway(ctx, kube, o)
	if err != nil {
		return nil, err
	}
	return g.Ingress(ctx, kube)
}

// Ingress chooses the gateway Service of g: the Services selecting g's
// pods in their namespaces, else (default selector only) the documented
// istio-system/istio-ingressgateway.
func (g *Gateway) Ingress(ctx context.Context, kube kube.Kube) (*Ingress, error) {
	in, err := g.ingress(ctx, kube)
	if err != nil {
		return nil, err
	}
	in.Selector, in.Discovered, in.Warning = g.Selector, g.Discovered, g.Warning
	return in, nil
}

func (g *Gateway) ingress(ctx context.Context, kube kube.Kube) (*Ingress, error) {
	sel, pods := g.Selector, g.Pods
	selStr := labels.SelectorFromSet(sel).String()
	if len(pods) == 0 {
		where := "in any namespace"
		if g.namespace != "" {
			where = "in namespace " + g.namespace
		}
		if !isDefaultSelector(sel) || (g.namespace != "" && g.namespace != DefaultIngressNamespace) {
			return nil, fmt.Errorf("no pod matches the gateway selector %s %s: check --gateway-selector, or name the Service with --ingress-service", selStr, where)
		}
		return fallbackIngress(ctx, kube, g.fallback, fmt.Sprintf("no pod matches the gateway selector %s %s", selStr, where))
	}
	cands, err := candidates(ctx, kube, pods, selStr)
	if err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		why := fmt.Sprintf("no Service selects the gateway pods (%s) in namespace %s", selStr, strings.Join(podNamespaces(pods), ", "))
		if !isDefaultSelector(sel) {
			return nil, fmt.Errorf("%s: name it with --ingress-service and --ingress-namespace", why)
		}
		return fallbackIngress(ctx, kube, nil, why)
	}
	return choose(cands, pods), nil
}

func isDefaultSelector(sel map[string]string) bool {
	return labels.Equals(sel, DefaultSelector)
}

// namedIngress is --ingress-service/--ingress-namespace.
func namedIngress(ctx context.Context, kube kube.Kube, o Options) (*Ingress, error) {
	ns := o.Namespace
	if ns == "" {
		ns = DefaultIngressNamespace
	}
	svc, err := kube.CoreV1().Services(ns).Get(ctx, o.Service, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("no gateway Service %s/%s: check --ingress-service and --ingress-namespace", ns, o.Service)
	}
	if err != nil {
		return nil, fmt.Errorf("getting the gateway Service %s/%s: %w", ns, o.Service, err)
	}
	in := &Ingress{Service: svc, Reason: fmt.Sprintf("named with --ingress-service %s/%s", ns, o.Service)}
	return in, podsOf(ctx, kube, in)
}

// fallbackIngress is the documented istio-system/istio-ingressgateway (svc
// when already read).
func fallbackIngress(ctx context.Context, kube kube.Kube, svc *corev1.Service, why string) (*Ingress, error) {
	var err error
	if svc == nil {
		svc, err = kube.CoreV1().Services(DefaultIngressNamespace).Get(ctx, DefaultIngressService, metav1.GetOptions{})
	}
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("no gateway Service: %s, and there is no Service %s/%s (is the Istio ingress gateway installed? else use --gateway-selector or --ingress-service)",
			why, DefaultIngressNamespace, DefaultIngressService)
	}
	if err != nil {
		return nil, fmt.Errorf("getting the gateway Service %s/%s: %w", DefaultIngressNamespace, DefaultIngressService, err)
	}
	in := &Ingress{Service: svc, Reason: fmt.Sprintf("%s; using the documented default %s/%s", why, DefaultIngressNamespace, DefaultIngressService)}
	return in, podsOf(ctx, kube, in)
}

// podsOf fills in.Pods with the pods in.Service selects. Being forbidden to
// list them is not fatal: the addresses of a LoadBalancer do not need them.
func podsOf(ctx context.Context, kube kube.Kube, in *Ingress) error {
	if len(in.Service.Spec.Selector) == 0 {
		return nil
	}
	sel := labels.SelectorFromSet(in.Service.Spec.Selector).String()
	l, err := kube.CoreV1().Pods(in.Service.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if apierrors.IsForbidden(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing the pods of gateway Service %s/%s (%s): %w", in.Service.Namespace, in.Service.Name, sel, err)
	}
	in.Pods = l.Items
	sortPods(in.Pods)
	return nil
}

// gatewayPods lists the pods matching the Gateway selector, in all
// namespaces unless ns is set. Forbidden cluster-wide, it retries in
// istio-system, the usual home of the gateway (narrowed).
func gatewayPods(ctx context.Context, kube kube.Kube, ns, sel string) (pods []corev1.Pod, narrowed bool, err error) {
	l, err := kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if apierrors.IsForbidden(err) && ns == "" {
		l, err = kube.CoreV1().Pods(DefaultIngressNamespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
		ns, narrowed = DefaultIngressNamespace, true
	}
	if err != nil {
		return nil, narrowed, fmt.Errorf("listing the gateway pods (%s) in %s: %w", sel, where(ns), err)
	}
	pods = l.Items
	sortPods(pods)
	return pods, narrowed, nil
}

func podNamespaces(pods []corev1.Pod) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range pods {
		if !seen[p.Namespace] {
			seen[p.Namespace] = true
			out = append(out, p.Namespace)
		}
	}
	return out
}

// candidates are the Services, in the namespaces of pods, that select at
// least one of pods. Services labelled like the gateway are tried first
// (one small list); all Services of the namespace only when none fits.
func candidates(ctx context.Context, kube kube.Kube, pods []corev1.Pod, sel string) ([]*Ingress, error) {
	var out []*Ingress
	for _, ns := range podNamespaces(pods) {
		found, err := selectingServices(ctx, kube, ns, sel, pods)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			if found, err = selectingServices(ctx, kube, ns, "", pods); err != nil {
				return nil, err
			}
		}
		out = append(out, found...)
	}
	return out, nil
}

func selectingServices(ctx context.Context, kube kube.Kube, ns, sel string, pods []corev1.Pod) ([]*Ingress, error) {
	l, err := kube.CoreV1().Services(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("listing Services in namespace %s to find the gateway Service: %w", ns, err)
	}
	var out []*Ingress
	for i := range l.Items {
		svc := &l.Items[i]
		if p := selectedPods(svc, pods); len(p) > 0 {
			out = append(out, &Ingress{Service: svc, Pods: p})
		}
	}
	return out, nil
}

// choose picks among candidate Services: the one selecting a Ready pod,
// reachable from outside (LoadBalancer, NodePort, externalIPs), with the
// documented name, selecting the most pods; then by namespace/name.
func choose(cands []*Ingress, pods []corev1.Pod) *Ingress {
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if ra, rb := readyCount(a.Pods) > 0, readyCount(b.Pods) > 0; ra != rb {
			return ra
		}
		if ea, eb := exposure(a.Service), exposure(b.Service); ea != eb {
			return ea < eb
		}
		if da, db := isDefaultName(a.Service), isDefaultName(b.Service); da != db {
			return da
		}
		if len(a.Pods) != len(b.Pods) {
			return len(a.Pods) > len(b.Pods)
		}
		return key(a.Service) < key(b.Service)
	})
	in := cands[0]
	if len(cands) > 1 {
		names := make([]string, len(cands))
		for i, c := range cands {
			names[i] = key(c.Service)
		}
		in.Reason = fmt.Sprintf("%d Services select the gateway pods (%s); chose %s: %s",
			len(cands), strings.Join(names, ", "), key(in.Service), why(in, cands[1]))
	}
	return in
}

// why says what made a win over b.
func why(a, b *Ingress) string {
	switch {
	case readyCount(a.Pods) > 0 && readyCount(b.Pods) == 0:
		return "it selects a Ready pod"
	case exposure(a.Service) < exposure(b.Service):
		return "type " + string(a.Service.Spec.Type) + " is reachable from outside the cluster"
	case isDefaultName(a.Service) && !isDefaultName(b.Service):
		return "it has the documented name"
	case len(a.Pods) > len(b.Pods):
		return "it selects the most gateway pods"
	default:
		return "first by namespace/name"
	}
}

func readyCount(pods []corev1.Pod) int {
	n := 0
	for i := range pods {
		if PodReady(&pods[i]) {
			n++
		}
	}
	return n
}

// exposure ranks Service types by how directly they are reachable.
func exposure(s *corev1.Service) int {
	switch {
	case s.Spec.Type == corev1.ServiceTypeLoadBalancer && len(s.Status.LoadBalancer.Ingress) > 0:
		return 0
	case len(s.Spec.ExternalIPs) > 0:
		return 1
	case s.Spec.Type == corev1.ServiceTypeLoadBalancer || s.Spec.Type == corev1.ServiceTypeNodePort:
		return 2
	default:
		return 3
	}
}

func isDefaultName(s *corev1.Service) bool {
	return s.Name == DefaultIngressService
}

func key(s *corev1.Service) string {
	return s.Namespace + "/" + s.Name
}
