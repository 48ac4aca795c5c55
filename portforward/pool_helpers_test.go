package portforward

import (
	"fmt"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
)

// These tests cover the pool's own logic with a fake clientset and fake
// port-forward connections; test/proxy runs it against a real apiserver
// and kwok.

const (
	testNS       = "istio-system"
	testSelector = "istio=ingressgateway"
	long         = 30 * time.Second // generous bound for what must happen at once
)

type podOpt func(*corev1.Pod)

var (
	notReady = func(p *corev1.Pod) { p.Status.Conditions[0].Status = corev1.ConditionFalse }
	pending  = func(p *corev1.Pod) { p.Status.Phase = corev1.PodPending }
	deleting = func(p *corev1.Pod) { now := metav1.Now(); p.DeletionTimestamp = &now }
	noPort   = func(p *corev1.Pod) { p.Spec.Containers[0].Ports = nil }
	port9090 = func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 9090 }
)

// gwPod is a Running, Ready gateway pod with container port http2 8080.
func gwPod(name string, opts ...podOpt) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNS, Labels: map[string]string{"istio": "ingressgateway"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "istio-proxy",
			Ports: []corev1.ContainerPort{{Name: "http2", ContainerPort: 8080}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

// http2Port resolves the container port named http2, as the plugin does
// for a named targetPort.
func http2Port(p *corev1.Pod) (int32, error) {
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == "http2" {
				return cp.ContainerPort, nil
			}
		}
	}
	return 0, fmt.Errorf("pod %s has no container port named %q", p.Name, "http2")
}

// logs collects the pool's Logf lines.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logs) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func newTestPool(kube *fake.Clientset, connect ConnectFunc, wait time.Duration) (*Pool, *logs) {
	l := &logs{}
	if kube == nil {
		kube = fake.NewClientset()
	}
	return NewPool(PoolOptions{Kube: kubelib.Kube(kube), Connect: connect, Namespace: testNS, Selector: testSelector,
		Port: http2Port, Wait: wait, Logf: l.logf}), l
}

func closed[T any](ch <-chan T) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// within waits for a value from ch, failing after a generous bound.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(long):
		t.Fatalf("no %s after %s", what, long)
		var zero T
		return zero
	}
}
