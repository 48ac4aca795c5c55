package testenv

import (
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// SeedHelmGateway installs what `helm install NAME istio/gateway -n NS`
// runs: namespace ns, the LoadBalancer Service NAME selecting
// {istio: istioLabel, app: NAME} (status-port 15021, http2 80, https 443,
// each to the same port; the nodePorts are the apiserver's), the Node
// node-1 unless it exists, and the gateway Pod NAME-0 on it with those
// labels (Running and Ready when kwok runs). The Helm chart's istio label
// is the release name less "istio-": istio-ingress runs istio=ingress.
// Use ns HelmGatewayNamespace for the gateway the Istio-driven gateway
// serves.
func (e *Env) SeedHelmGateway(ns, name, istioLabel string) *corev1.Service {
	e.t.Helper()
	ctx := e.Ctx()
	labels := map[string]string{"istio": istioLabel, "app": name}
	e.EnsureNamespace(ns)
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeLoadBalancer,
			Selector: labels,
			Ports: []corev1.ServicePort{
				{Name: "status-port", Port: 15021, TargetPort: intstr.FromInt32(15021), Protocol: corev1.ProtocolTCP},
				{Name: "http2", Port: 80, TargetPort: intstr.FromInt32(80), Protocol: corev1.ProtocolTCP},
				{Name: "https", Port: 443, TargetPort: intstr.FromInt32(443), Protocol: corev1.ProtocolTCP},
			},
		},
	}
	svc, err := e.Kube.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{})
	if err != nil {
		e.t.Fatalf("creating the Helm gateway Service %s/%s: %v", ns, name, err)
	}
	if _, err := e.Kube.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{}); apierrors.IsNotFound(err) {
		e.CreateNode(NodeName, nil)
	} else if err != nil {
		e.t.Fatalf("getting node %s: %v", NodeName, err)
	}
	e.createProxyPod(ns, name+"-0", NodeName, labels,
		corev1.ContainerPort{Name: "http2", ContainerPort: 80}, corev1.ContainerPort{Name: "https", ContainerPort: 443},
		corev1.ContainerPort{Name: "status-port", ContainerPort: 15021})
	return svc
}
