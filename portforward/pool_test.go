package portforward

import (
	"bufio"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestStartRefusesWithoutAReadyPod(t *testing.T) {
	tests := []struct {
		name string
		pods []runtime.Object
		want string
	}{
		{"no pod", nil, "no Ready gateway pod in namespace istio-system (selector istio=ingressgateway)"},
		{"none Ready", []runtime.Object{gwPod("a", notReady)},
			"no Ready gateway pod in namespace istio-system (selector istio=ingressgateway)"},
		{"Ready without the port", []runtime.Object{gwPod("a", noPort)},
			`no Ready gateway pod in namespace istio-system (selector istio=ingressgateway): pod a has no container port named "http2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := newTestPool(fake.NewClientset(tt.pods...), func(string, string) (httpstream.Connection, error) {
				t.Fatal("no pod to connect to")
				return nil, nil
			}, time.Hour)
			assert.EqualError(t, p.Start(context.Background()), tt.want)
		})
	}
}

func TestStartIsCancelledWhileTheTunnelOpens(t *testing.T) {
	t.Run("the apiserver does not upgrade", func(t *testing.T) {
		entered, release := make(chan struct{}), make(chan struct{})
		late := newFakeConn("a")
		p, _ := newTestPool(fake.NewClientset(gwPod("a")), func(string, string) (httpstream.Connection, error) {
			close(entered)
			<-release
			return late, nil
		}, time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		errs := make(chan error, 1)
		go func() { errs <- p.Start(ctx) }()
		within(t, entered, "port-forward dial")
		cancel()
		assert.ErrorIs(t, within(t, errs, "Start's error"), context.Canceled)
		close(release)
		within(t, late.CloseChan(), "close of the tunnel that opened after Ctrl-C")
	})
	t.Run("the kubelet does not confirm the stream", func(t *testing.T) {
		c := newFakeConn("a")
		c.hang = make(chan struct{})
		p, _ := newTestPool(fake.NewClientset(gwPod("a")), func(string, string) (httpstream.Connection, error) {
			return c, nil
		}, time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		errs := make(chan error, 1)
		go func() { errs <- p.Start(ctx) }()
		within(t, c.hang, "stream creation")
		cancel()
		assert.ErrorIs(t, within(t, errs, "Start's error"), context.Canceled)
	})
}

func TestStartFollowsThePods(t *testing.T) {
	kube := fake.NewClientset(gwPod("a"), gwPod("b"))
	w := watch.NewFake()
	kube.PrependWatchReactor("pods", k8stesting.DefaultWatchReactor(w, nil))
	p, l := newTestPool(kube, func(_, pod string) (httpstream.Connection, error) {
		return newFakeConn(pod), nil
	}, time.Hour)
	require.NoError(t, p.Start(context.Background()))
	defer p.Close()
	assert.Equal(t, "a", p.Pod())

	// The watch's channel is unbuffered: once a second event is taken, the
	// first one has been applied.
	sync := func() { w.Action(watch.Bookmark, gwPod("bookmark")) }
	w.Modify(gwPod("a", notReady))
	sync()
	assert.Equal(t, "b", p.Pod())
	w.Delete(gwPod("b"))
	sync()
	assert.Equal(t, "", p.Pod())

	got := make(chan string, 1)
	go func() {
		c, err := p.DialContext(context.Background(), "tcp", "")
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		line, _ := bufio.NewReader(c).ReadString('\n')
		got <- line
	}()
	w.Add(gwPod("c", port9090))
	assert.Equal(t, "c\n", within(t, got, "connection to the new pod"))
	assert.Equal(t, int32(9090), p.Port())
	assert.Equal(t, []string{
		"tunnelling to gateway pod istio-system/a port 8080",
		"gateway pod istio-system/a is no longer Ready; tunnelling to istio-system/b port 8080 now",
		"gateway pod istio-system/b was deleted; waiting for a Ready gateway pod",
		"tunnelling to gateway pod istio-system/c port 9090",
	}, l.all())
}
