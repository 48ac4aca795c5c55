package resolve

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// PodReady is true for a Running pod whose Ready condition is True.
func PodReady(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podRank orders pods: Ready first, then Running, then the rest.
func podRank(p *corev1.Pod) int {
	switch {
	case PodReady(p):
		return 0
	case p.Status.Phase == corev1.PodRunning:
		return 1
	default:
		return 2
	}
}

// sortPods puts Ready pods first, then Running ones, then by namespace/name.
func sortPods(pods []corev1.Pod) {
	sort.SliceStable(pods, func(i, j int) bool {
		ri, rj := podRank(&pods[i]), podRank(&pods[j])
		if ri != rj {
			return ri < rj
		}
		if pods[i].Namespace != pods[j].Namespace {
			return pods[i].Namespace < pods[j].Namespace
		}
		return pods[i].Name < pods[j].Name
	})
}

// selects is true when a Service with selector sel sends traffic to pod.
// An empty selector selects nothing (such Services have manual endpoints).
func selects(sel map[string]string, pod *corev1.Pod) bool {
	if len(sel) == 0 {
		return false
	}
	return labels.SelectorFromSet(sel).Matches(labels.Set(pod.Labels))
}

// selectedPods returns the pods of svc's namespace that svc selects.
func selectedPods(svc *corev1.Service, pods []corev1.Pod) []corev1.Pod {
	var out []corev1.Pod
	for i := range pods {
		if pods[i].Namespace == svc.Namespace && selects(svc.Spec.Selector, &pods[i]) {
			out = append(out, pods[i])
		}
	}
	sortPods(out)
	return out
}
