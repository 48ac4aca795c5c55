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

// IstioLabel is the pod label key of Istio's gateways: istio=ingressgateway
// for istioctl's install, istio=<release name less "istio-"> for the Helm
// gateway chart (istio=ingress after `helm install istio-ingress
// istio/gateway`).
const IstioLabel = "istio"

// controlPlane are the istio label values of istiod's pods, which are no
// gateway.
var controlPlane = map[string]bool{"pilot": true, "istiod": true}

// Gateway is the ingress gateway's pods and the selector a Gateway object
// uses to reach them.
type Gateway struct {
	Selector map[string]string
	// Pods match Selector, Running ones first.
	Pods []corev1.Pod
	// Discovered is true when no selector was given, no pod matches
	// istio=ingressgateway, and Selector is the one ingress gateway found
	// by its pods' istio label.
	Discovered bool
	// Warning says why the search for another gateway could not be made
	// (forbidden): Selector is then istio=ingressgateway, as given none.
	Warning string

	namespace string          // where pods were searched, "" for all
	fallback  *corev1.Service // istio-system/istio-ingressgateway, when looked up
}

// GatewayGroup is one ingress gateway found by label: the pods of a
// namespace with the same istio label value.
type GatewayGroup struct {
	Namespace string
	Value     string // of the istio label
	Pods      []corev1.Pod
}

// Selector selects the group's pods: istio=Value.
func (g GatewayGroup) Selector() map[string]string {
	return map[string]string{IstioLabel: g.Value}
}

// String is "istio=VALUE (NAMESPACE)".
func (g GatewayGroup) String() string {
	return IstioLabel + "=" + g.Value + " (" + g.Namespace + ")"
}

// IsIngressValue is false for istio label values that are no ingress
// gateway: egress gateways (any value containing "egress") and istiod
// (pilot, istiod).
func IsIngressValue(v string) bool {
	return v != "" && !strings.Contains(strings.ToLower(v), "egress") && !controlPlane[v]
}

// IngressGateways groups pods carrying an istio label by namespace and
// label value, leaving out egress gateways, istiod, and pods that ended or
// are being deleted; sorted by namespace, then value. Pure.
func IngressGateways(pods []corev1.Pod) []GatewayGroup {
	idx := map[[2]string]int{}
	var out []GatewayGroup
	for _, p := range pods {
		v, ok := p.Labels[IstioLabel]
		if !ok || !IsIngressValue(v) || p.DeletionTimestamp != nil ||
			p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		k := [2]string{p.Namespace, v}
		i, seen := idx[k]
		if !seen {
			i = len(out)
			idx[k] = i
			out = append(out, GatewayGroup{Namespace: p.Namespace, Value: v})
		}
		out[i].Pods = append(out[i].Pods, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Value < out[j].Value
	})
	for i := range out {
		sortPods(out[i].Pods)
	}
	return out
}

// SeveralGatewaysError: no selector was given, no pod matches
// istio=ingressgateway, and several ingress gateways run.
type SeveralGatewaysError struct {
	Gateways []GatewayGroup
}

func (e *SeveralGatewaysError) Error() string {
	names := make([]string, len(e.Gateways))
	for i, g := range e.Gateways {
		names[i] = g.String()
	}
	return fmt.Sprintf("no pod matches %s and several ingress gateways run: %s; pick one with --gateway-selector",
		labels.SelectorFromSet(DefaultSelector), strings.Join(names, ", "))
}

// NoGatewayError: no selector was given and no pod looks like an ingress
// gateway (nor is there the documented Service istio-system/istio-ingressgateway).
type NoGatewayError struct {
	Namespace string // searched; "" for all
}

func (e *NoGatewayError) Error() string {
	def := labels.SelectorFromSet(DefaultSelector).String()
	if e.Namespace != "" {
		return fmt.Sprintf("no ingress gateway found: no pod in namespace %s matches %s and none there has an istio label other than egressgateway or pilot; name the gateway's pod labels with --gateway-selector", e.Namespace, def)
	}
	return fmt.Sprintf("no ingress gateway found: no pod matches %s and no pod in any namespace has an istio label other than egressgateway or pilot; name the gateway's pod labels with --gateway-selector", def)
}

// FindGateway finds the ingress gateway pods of o.Selector, in
// o.Namespace ("" for all). Without a selector they are those of
// istio=ingressgateway; when none matches, the one ingress gateway found by
// the pods' istio label (one more pod list, by label selector "istio"):
// several are a *SeveralGatewaysError, none a *NoGatewayError unless the
// documented Service istio-system/istio-ingressgateway exists (installed,
// no pod yet: the default selector stays). Forbidden to list pods
// cluster-wide, it keeps the default selector and says so in Warning.
func FindGateway(ctx context.Context, kube kube.Kube, o Options) (*Gateway, error) {
	sel, given := o.Selector, len(o.Selector) > 0
	if !given {
		sel = DefaultSelector
	}
	pods, narrowed, err := gatewayPods(ctx, kube, o.Namespace, labels.SelectorFromSet(sel).String())
	if err != nil {
		return nil, err
	}
	g := &Gateway{Selector: sel, Pods: pods, namespace: o.Namespace}
	if len(pods) > 0 || given {
		return g, nil
	}
	forbidden := fmt.Sprintf("cannot list pods in all namespaces (forbidden) to look for an ingress gateway other than %s: using %s",
		labels.SelectorFromSet(DefaultSelector), labels.SelectorFromSet(DefaultSelector))
	if narrowed {
		g.Warning = forbidden
		return g, nil
	}
	l, err := kube.CoreV1().Pods(o.Namespace).List(ctx, metav1.ListOptions{LabelSelector: IstioLabel})
	if apierrors.IsForbidden(err) && o.Namespace == "" {
		g.Warning = forbidden
		return g, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing the pods labelled %s in %s to find the ingress gateway: %w", IstioLabel, where(o.Namespace), err)
	}
	groups := IngressGateways(l.Items)
	switch {
	case len(groups) == 1:
		g.Selector, g.Pods, g.Discovered = groups[0].Selector(), groups[0].Pods, true
		return g, nil
	case len(groups) > 1:
		return nil, &SeveralGatewaysError{Gateways: groups}
	}
	if o.Namespace != "" && o.Namespace != DefaultIngressNamespace {
		return nil, &NoGatewayError{Namespace: o.Namespace}
	}
	svc, err := kube.CoreV1().Services(DefaultIngressNamespace).Get(ctx, DefaultIngressService, metav1.GetOptions{})
	switch {
	case err == nil:
		g.fallback = svc
		return g, nil
	case apierrors.IsNotFound(err):
		return nil, &NoGatewayError{Namespace: o.Namespace}
	case apierrors.IsForbidden(err):
		return g, nil // as before: the Service look-up says it is forbidden
	}
	return nil, fmt.Errorf("getting the gateway Service %s/%s: %w", DefaultIngressNamespace, DefaultIngressService, err)
}

// Found is the line saying which ingress gateway was discovered, with its
// Service when known (svc may be nil); "" unless g.Discovered.
func (g *Gateway) Found(svc *corev1.Service) string {
	if !g.Discovered {
		return ""
	}
	where := "pods in " + strings.Join(podNamespaces(g.Pods), ", ")
	if svc != nil {
		where += ", Service " + key(svc)
	}
	return fmt.Sprintf("Using the ingress gateway %s (%s): no pod matches %s",
		labels.SelectorFromSet(g.Selector), where, labels.SelectorFromSet(DefaultSelector))
}

func where(ns string) string {
	if ns == "" {
		return "all namespaces"
	}
	return "namespace " + ns
}

// Found is the line saying which ingress gateway was discovered; "" unless
// in.Discovered.
func (in *Ingress) Found() string {
	g := Gateway{Selector: in.Selector, Pods: in.Pods, Discovered: in.Discovered}
	return g.Found(in.Service)
}
