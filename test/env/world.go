package testenv

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// App is an application Service of the world.
type App struct {
	Name      string
	Namespace string // default "default"
	// Ports of the Service; default one port "http" 80 -> 5000.
	Ports []corev1.ServicePort
	// NoEndpoints leaves out the EndpointSlice that gives each port one
	// ready endpoint (what the EndpointSlice controller writes for a
	// running pod; this cluster has no controller-manager).
	NoEndpoints bool
}

// WorldOptions shapes the seed's world.
type WorldOptions struct {
	// ServiceType of istio-ingressgateway; default NodePort.
	ServiceType corev1.ServiceType
	// LoadBalancer, when set, is written to the gateway Service's
	// status.loadBalancer.ingress (through the status subresource).
	LoadBalancer []corev1.LoadBalancerIngress
	// HTTPNodePort and HTTPSNodePort default to the seed's 31380 and 31390.
	HTTPNodePort, HTTPSNodePort int32
	// Apps default to the seed's flaskapp in default.
	Apps []App
	// NoGatewayPod leaves out the Node and the ingress-gateway Pod.
	NoGatewayPod bool
}

// World names what SeedWorld created.
type World struct {
	GatewayService *corev1.Service
	Node           *corev1.Node
	GatewayPod     *corev1.Pod
	Apps           []*corev1.Service
}

// Names of the seed's objects.
const (
	IstioNamespace = "istio-system"
	// HelmGatewayNamespace is where Istio's Helm chart installs the
	// ingress gateway (`helm install istio-ingress istio/gateway -n
	// istio-ingress`).
	HelmGatewayNamespace = "istio-ingress"
	GatewayName          = "istio-ingressgateway"
	NodeName             = "node-1"
)

// GatewayLabels are the labels of the ingress gateway Service and its pods.
var GatewayLabels = map[string]string{"istio": "ingressgateway", "app": "istio-ingressgateway"}

// SeedWorld builds the seed article's world: namespace istio-system, the
// istio-ingressgateway Service (http2 80->8080, https 443->8443), a Node and
// a gateway Pod on it (Running when kwok runs), and the application Services.
func (e *Env) SeedWorld(o WorldOptions) *World {
	t := e.t
	t.Helper()
	ctx := e.Ctx()
	if o.ServiceType == "" {
		o.ServiceType = corev1.ServiceTypeNodePort
	}
	if o.HTTPNodePort == 0 {
		o.HTTPNodePort = 31380
	}
	if o.HTTPSNodePort == 0 {
		o.HTTPSNodePort = 31390
	}
	if o.Apps == nil {
		o.Apps = []App{{Name: "flaskapp"}}
	}
	w := &World{}
	e.EnsureNamespace(IstioNamespace)
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: GatewayName, Namespace: IstioNamespace, Labels: GatewayLabels},
		Spec: corev1.ServiceSpec{
			Type:     o.ServiceType,
			Selector: GatewayLabels,
			Ports: []corev1.ServicePort{
				{Name: "http2", Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP},
				{Name: "https", Port: 443, TargetPort: intstr.FromInt32(8443), Protocol: corev1.ProtocolTCP},
			},
		},
	}
	if o.ServiceType != corev1.ServiceTypeClusterIP {
		svc.Spec.Ports[0].NodePort = o.HTTPNodePort
		svc.Spec.Ports[1].NodePort = o.HTTPSNodePort
	}
	var err error
	if w.GatewayService, err = e.Kube.CoreV1().Services(IstioNamespace).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating the gateway Service: %v", err)
	}
	if len(o.LoadBalancer) > 0 {
		w.GatewayService.Status.LoadBalancer.Ingress = o.LoadBalancer
		if w.GatewayService, err = e.Kube.CoreV1().Services(IstioNamespace).UpdateStatus(ctx, w.GatewayService, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("writing the gateway's load balancer status: %v", err)
		}
	}
	if !o.NoGatewayPod {
		w.Node = e.CreateNode(NodeName, nil)
		w.GatewayPod = e.CreateGatewayPod("istio-ingressgateway-0", NodeName)
	}
	for _, a := range o.Apps {
		w.Apps = append(w.Apps, e.CreateApp(a))
	}
	return w
}

// EnsureNamespace creates a namespace unless it exists.
func (e *Env) EnsureNamespace(name string) {
	e.t.Helper()
	_, err := e.Kube.CoreV1().Namespaces().Create(e.Ctx(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		e.t.Fatalf("creating namespace %s: %v", name, err)
	}
}

// CreateNode creates a Node managed by kwok (Ready with InternalIP
// 127.0.0.1 once kwok sees it). Extra addresses are kept by kwok.
func (e *Env) CreateNode(name string, labels map[string]string) *corev1.Node {
	e.t.Helper()
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels,
		Annotations: map[string]string{KwokNodeAnnotation: "fake"}}}
	n, err := e.Kube.CoreV1().Nodes().Create(e.Ctx(), n, metav1.CreateOptions{})
	if err != nil {
		e.t.Fatalf("creating node %s: %v", name, err)
	}
	return n
}

// CreateGatewayPod creates an ingress-gateway Pod on node (ports 8080 and
// 8443) and, when kwok runs, waits until it is Running and Ready.
func (e *Env) CreateGatewayPod(name, node string) *corev1.Pod {
	e.t.Helper()
	return e.createProxyPod(IstioNamespace, name, node, GatewayLabels,
		corev1.ContainerPort{Name: "http2", ContainerPort: 8080}, corev1.ContainerPort{Name: "https", ContainerPort: 8443})
}

// createProxyPod creates a gateway (istio-proxy) Pod in ns on node with
// labels and container ports and, when kwok runs, waits until it is
// Running and Ready.
func (e *Env) createProxyPod(ns, name, node string, labels map[string]string, ports ...corev1.ContainerPort) *corev1.Pod {
	e.t.Helper()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: corev1.PodSpec{
			NodeName:    node,
			Tolerations: []corev1.Toleration{{Key: "kwok.x-k8s.io/node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
			Containers:  []corev1.Container{{Name: "istio-proxy", Image: "docker.io/istio/proxyv2:1.28.0", Ports: ports}},
		},
	}
	p, err := e.Kube.CoreV1().Pods(ns).Create(e.Ctx(), p, metav1.CreateOptions{})
	if err != nil {
		e.t.Fatalf("creating pod %s/%s: %v", ns, name, err)
	}
	if e.IstioGateway != nil {
		p = e.WaitPodReady(ns, name)
	}
	return p
}

// WaitPodReady waits until kwok reports the pod Running and Ready.
func (e *Env) WaitPodReady(ns, name string) *corev1.Pod {
	e.t.Helper()
	var pod *corev1.Pod
	Eventually(e.t, 30*time.Second, fmt.Sprintf("pod %s/%s Ready", ns, name), func() (bool, error) {
		p, err := e.Kube.CoreV1().Pods(ns).Get(e.Ctx(), name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		pod = p
		if p.Status.Phase != corev1.PodRunning {
			return false, fmt.Errorf("phase %s", p.Status.Phase)
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, fmt.Errorf("not Ready")
	})
	return pod
}

// CreateApp creates an application Service.
func (e *Env) CreateApp(a App) *corev1.Service {
	e.t.Helper()
	if a.Namespace == "" {
		a.Namespace = "default"
	}
	if a.Ports == nil {
		a.Ports = []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(5000), Protocol: corev1.ProtocolTCP}}
	}
	e.EnsureNamespace(a.Namespace)
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: a.Name, Namespace: a.Namespace, Labels: map[string]string{"app": a.Name}},
		Spec:       corev1.ServiceSpec{Selector: map[string]string{"app": a.Name}, Ports: a.Ports},
	}
	s, err := e.Kube.CoreV1().Services(a.Namespace).Create(e.Ctx(), s, metav1.CreateOptions{})
	if err != nil {
		e.t.Fatalf("creating service %s/%s: %v", a.Namespace, a.Name, err)
	}
	if !a.NoEndpoints {
		es := &discoveryv1.EndpointSlice{
			ObjectMeta:  metav1.ObjectMeta{Name: a.Name + "-ready", Namespace: a.Namespace, Labels: map[string]string{discoveryv1.LabelServiceName: a.Name}},
			AddressType: discoveryv1.AddressTypeIPv4,
			Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{"10.1.0.7"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr(true)}}},
		}
		for _, p := range a.Ports {
			es.Ports = append(es.Ports, discoveryv1.EndpointPort{Name: ptr(p.Name), Port: ptr(p.TargetPort.IntVal), Protocol: ptr(corev1.ProtocolTCP)})
		}
		if _, err := e.Kube.DiscoveryV1().EndpointSlices(a.Namespace).Create(e.Ctx(), es, metav1.CreateOptions{}); err != nil {
			e.t.Fatalf("creating the EndpointSlice of service %s/%s: %v", a.Namespace, a.Name, err)
		}
	}
	return s
}
