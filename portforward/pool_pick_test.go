package portforward

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
)

func TestReconcileChoosesPod(t *testing.T) {
	tests := []struct {
		name     string
		current  string
		pods     []*corev1.Pod
		want     string
		wantPort int32
		wantLogs []string
	}{
		{name: "no pod", want: ""},
		{name: "the first Ready pod in name order", pods: []*corev1.Pod{gwPod("c"), gwPod("b"), gwPod("d")},
			want: "b", wantPort: 8080, wantLogs: []string{"tunnelling to gateway pod istio-system/b port 8080"}},
		{name: "not Ready, not Running and deleting pods are skipped",
			pods: []*corev1.Pod{gwPod("a", notReady), gwPod("b", pending), gwPod("c", deleting), gwPod("d", port9090)},
			want: "d", wantPort: 9090, wantLogs: []string{"tunnelling to gateway pod istio-system/d port 9090"}},
		{name: "a pod without the container port is skipped", pods: []*corev1.Pod{gwPod("a", noPort), gwPod("b")},
			want: "b", wantPort: 8080, wantLogs: []string{"tunnelling to gateway pod istio-system/b port 8080"}},
		{name: "only unusable pods", pods: []*corev1.Pod{gwPod("a", noPort), gwPod("b", notReady)}, want: ""},
		{name: "the current pod is kept while it stays Ready", current: "c",
			pods: []*corev1.Pod{gwPod("a"), gwPod("b"), gwPod("c")}, want: "c", wantPort: 8080},
		{name: "the current pod is no longer Ready", current: "a", pods: []*corev1.Pod{gwPod("a", notReady), gwPod("b")},
			want: "b", wantPort: 8080,
			wantLogs: []string{"gateway pod istio-system/a is no longer Ready; tunnelling to istio-system/b port 8080 now"}},
		{name: "the current pod is being deleted", current: "a", pods: []*corev1.Pod{gwPod("a", deleting), gwPod("b")},
			want: "b", wantPort: 8080,
			wantLogs: []string{"gateway pod istio-system/a was deleted; tunnelling to istio-system/b port 8080 now"}},
		{name: "the current pod is gone", current: "a", pods: []*corev1.Pod{gwPod("b")},
			want: "b", wantPort: 8080,
			wantLogs: []string{"gateway pod istio-system/a was deleted; tunnelling to istio-system/b port 8080 now"}},
		{name: "the current pod is gone and no other is Ready", current: "a", pods: []*corev1.Pod{gwPod("b", notReady)},
			want: "", wantLogs: []string{"gateway pod istio-system/a was deleted; waiting for a Ready gateway pod"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, l := newTestPool(nil, nil, 0)
			for _, pod := range tt.pods {
				p.pods[pod.Name] = pod
			}
			if tt.current != "" {
				p.current, p.port = tt.current, 8080
			}
			changed := p.changed
			p.mu.Lock()
			p.reconcileLocked()
			p.mu.Unlock()
			assert.Equal(t, tt.want, p.Pod())
			assert.Equal(t, tt.wantPort, p.Port())
			assert.Equal(t, tt.wantLogs, l.all())
			assert.Equal(t, tt.want != tt.current, closed(changed), "waiters are woken exactly when the pod changes")
		})
	}
}

func TestReconcileClosesOnlyTheOldPodsTunnels(t *testing.T) {
	p, _ := newTestPool(nil, nil, 0)
	p.pods["b"] = gwPod("b")
	p.current, p.port = "a", 8080
	toA, toB := newFakeConn("a"), newFakeConn("b")
	ta, tb := newTunnel(testNS+"/a", 8080, toA), newTunnel(testNS+"/b", 8080, toB)
	p.tunnels = []*tunnel{ta, tb}

	p.mu.Lock()
	p.reconcileLocked() // a is gone
	p.mu.Unlock()

	within(t, toA.CloseChan(), "close of the tunnel to the deleted pod")
	assert.EqualError(t, ta.deadReason(), "gateway pod istio-system/a was deleted")
	assert.Equal(t, []*tunnel{tb}, p.tunnels)
	assert.NoError(t, tb.deadReason())
	assert.False(t, closed(toB.CloseChan()))
}
