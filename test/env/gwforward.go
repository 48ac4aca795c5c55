package testenv

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

var portForwardGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "portforwards"}

func (e *Env) dynamic() dynamic.Interface { return dynamic.NewForConfigOrDie(e.Config) }

// ensurePortForward makes the kwok PortForward named after pod send each
// port to its address; it reports whether it changed anything.
func (d *deployer) ensurePortForward(ctx context.Context, gw *gatewayv1.Gateway, pod string, fwd map[int32]string) (bool, error) {
	var forwards []any
	for port := 1; port <= 65535 && len(forwards) < len(fwd); port++ {
		addr, ok := fwd[int32(port)]
		if !ok {
			continue
		}
		host, p, _ := net.SplitHostPort(addr)
		pn, _ := strconv.Atoi(p)
		forwards = append(forwards, map[string]any{"ports": []any{int64(port)}, "target": map[string]any{"address": host, "port": int64(pn)}})
	}
	spec := map[string]any{"forwards": forwards}
	res := d.e.dynamic().Resource(portForwardGVR).Namespace(gw.Namespace)
	cur, err := res.Get(ctx, pod, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		o := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "PortForward", "spec": spec}}
		o.SetName(pod)
		o.SetNamespace(gw.Namespace)
		o.SetLabels(map[string]string{GatewayNameLabel: gw.Name})
		o.SetOwnerReferences(owner(gw))
		_, err = res.Create(ctx, o, metav1.CreateOptions{})
		return err == nil, err
	}
	if err != nil {
		return false, err
	}
	if reflect.DeepEqual(cur.Object["spec"], spec) {
		return false, nil
	}
	cur.Object["spec"] = spec
	_, err = res.Update(ctx, cur, metav1.UpdateOptions{})
	return err == nil, err
}

// waitForwarded waits until kwok forwards port of pod by its PortForward
// (kwok reads PortForward objects through a watch of its own): it opens
// port-forwards to the port through the apiserver until kwok no longer
// answers that it has no forward for it.
func (e *Env) waitForwarded(ctx context.Context, ns, pod string, port int) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		msg, err := e.probeForward(ctx, ns, pod, port)
		if err == nil && !strings.Contains(msg, "forward not found") && !strings.Contains(msg, "no forward found") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kwok does not forward %s/%s port %d after 30s: %v %s", ns, pod, port, err, msg)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// probeForward opens one port-forward stream to port of pod, sends an HTTP
// request that closes the connection and returns what the kubelet (kwok)
// wrote on the stream's error channel ("" when the tunnel worked).
func (e *Env) probeForward(ctx context.Context, ns, pod string, port int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rt, upgrader, err := spdy.RoundTripperFor(e.Config)
	if err != nil {
		return "", err
	}
	u := e.Kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(pod).SubResource("portforward").URL()
	conn, _, err := spdy.NewDialer(upgrader, &http.Client{Transport: rt}, http.MethodPost, u).Dial(portforward.PortForwardProtocolV1Name)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	go func() { <-ctx.Done(); conn.Close() }()
	h := http.Header{}
	h.Set(corev1.StreamType, corev1.StreamTypeError)
	h.Set(corev1.PortHeader, strconv.Itoa(port))
	h.Set(corev1.PortForwardRequestIDHeader, "0")
	errStream, err := conn.CreateStream(h)
	if err != nil {
		return "", err
	}
	errStream.Close() // nothing to write on it
	h.Set(corev1.StreamType, corev1.StreamTypeData)
	data, err := conn.CreateStream(h)
	if err != nil {
		return "", err
	}
	go func() {
		fmt.Fprintf(data, "GET / HTTP/1.1\r\nHost: probe.invalid\r\nConnection: close\r\n\r\n")
		_, _ = io.Copy(io.Discard, data) // until the gateway closes
		data.Close()
	}()
	msg, err := io.ReadAll(errStream)
	if err != nil && ctx.Err() != nil {
		return "", fmt.Errorf("no answer from the port-forward: %w", ctx.Err())
	}
	return string(msg), nil
}
