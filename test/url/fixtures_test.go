// Package urltest runs `kubectl expose-gw url` through the real kubectl
// against a real kube-apiserver.
package urltest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// gatewayPorts are the seed's ports, with nodePorts.
func gatewayPorts(httpNode, httpsNode int32) []corev1.ServicePort {
	return []corev1.ServicePort{
		{Name: "status-port", Port: 15021, TargetPort: intstr.FromInt32(15021), Protocol: corev1.ProtocolTCP},
		{Name: "http2", Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: httpNode, Protocol: corev1.ProtocolTCP},
		{Name: "https", Port: 443, TargetPort: intstr.FromInt32(8443), NodePort: httpsNode, Protocol: corev1.ProtocolTCP},
	}
}

// service creates a gateway Service in ns selecting labels.
func service(t *testing.T, env *testenv.Env, ns, name string, typ corev1.ServiceType, sel map[string]string, ports []corev1.ServicePort, mut ...func(*corev1.Service)) *corev1.Service {
	t.Helper()
	env.EnsureNamespace(ns)
	if typ == corev1.ServiceTypeClusterIP {
		for i := range ports {
			ports[i].NodePort = 0
		}
	}
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: sel},
		Spec:       corev1.ServiceSpec{Type: typ, Selector: sel, Ports: ports},
	}
	for _, m := range mut {
		m(s)
	}
	lb := s.Status.LoadBalancer
	s, err := env.Kube.CoreV1().Services(ns).Create(env.Ctx(), s, metav1.CreateOptions{})
	require.NoError(t, err, "creating service %s/%s", ns, name)
	if len(lb.Ingress) > 0 {
		s.Status.LoadBalancer = lb
		s, err = env.Kube.CoreV1().Services(ns).UpdateStatus(env.Ctx(), s, metav1.UpdateOptions{})
		require.NoError(t, err)
	}
	return s
}

// node creates a Node not managed by kwok, with the status given.
func node(t *testing.T, env *testenv.Env, name string, ready bool, addrs ...corev1.NodeAddress) {
	t.Helper()
	n, err := env.Kube.CoreV1().Nodes().Create(env.Ctx(), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	require.NoError(t, err, "creating node %s", name)
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st, LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}}
	n.Status.Addresses = addrs
	_, err = env.Kube.CoreV1().Nodes().UpdateStatus(env.Ctx(), n, metav1.UpdateOptions{})
	require.NoError(t, err)
}

func internalIP(ip string) corev1.NodeAddress {
	return corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip}
}
func externalIP(ip string) corev1.NodeAddress {
	return corev1.NodeAddress{Type: corev1.NodeExternalIP, Address: ip}
}

// pod creates a gateway pod on nodeName, Running and Ready when ready.
func pod(t *testing.T, env *testenv.Env, ns, name, nodeName string, lbl map[string]string, ready bool) {
	t.Helper()
	env.EnsureNamespace(ns)
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: lbl},
		Spec:       corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{Name: "istio-proxy", Image: "istio/proxyv2:1.28.0"}}},
	}
	p, err := env.Kube.CoreV1().Pods(ns).Create(env.Ctx(), p, metav1.CreateOptions{})
	require.NoError(t, err, "creating pod %s/%s", ns, name)
	if !ready {
		return
	}
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}}
	_, err = env.Kube.CoreV1().Pods(ns).UpdateStatus(env.Ctx(), p, metav1.UpdateOptions{})
	require.NoError(t, err)
}

// lines splits output into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseEnv reads `export K=V` lines.
func parseEnv(t *testing.T, s string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, l := range lines(s) {
		k, v, ok := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		require.True(t, ok && strings.HasPrefix(l, "export "), "not an export line: %q", l)
		m[k] = strings.Trim(v, "'")
	}
	return m
}

func sel(v string) map[string]string { return map[string]string{"istio": v} }

func selFlag(v string) string { return fmt.Sprintf("--gateway-selector=istio=%s", v) }
