package testenv

import (
	"fmt"
	"io"
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// GatewayPod is the name of the pod Istio deployed (at the last Sync) for
// the Gateway API Gateway ns/name.
func (e *Env) GatewayPod(ns, name string) string {
	e.t.Helper()
	l, err := e.Kube.CoreV1().Pods(ns).List(e.Ctx(), metav1.ListOptions{LabelSelector: GatewayNameLabel + "=" + name})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(l.Items) == 0 {
		e.t.Fatalf("no pod deployed for Gateway %s/%s (did the test Sync?)", ns, name)
	}
	return l.Items[0].Name
}

// PortForward forwards a local port on 127.0.0.1 to port of pod ns/name
// through the apiserver (client-go's port-forward, as kubectl
// port-forward) until the test ends, and returns the local address.
func (e *Env) PortForward(ns, pod string, port int) string {
	e.t.Helper()
	rt, upgrader, err := spdy.RoundTripperFor(e.Config)
	if err != nil {
		e.t.Fatal(err)
	}
	u := e.Kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(pod).SubResource("portforward").URL()
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: rt}, http.MethodPost, u)
	stop, ready := make(chan struct{}), make(chan struct{})
	fw, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{fmt.Sprintf("0:%d", port)}, stop, ready, io.Discard, io.Discard)
	if err != nil {
		e.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- fw.ForwardPorts() }()
	select {
	case <-ready:
	case err := <-done:
		e.t.Fatalf("port-forward to %s/%s:%d: %v", ns, pod, port, err)
	}
	e.t.Cleanup(func() { close(stop); <-done })
	ports, err := fw.GetPorts()
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", ports[0].Local)
}
