package testenv

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// deployer plays Istio's Gateway API deployment controller
// (pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go and its
// kube-gateway.yaml template): for each Gateway of an Istio class it
// deploys a Service NAME-istio and a gateway pod (on a kwok node, so it
// turns Ready), and removes them when the Gateway goes (as the garbage
// collector does through their ownerReferences). It runs at each
// IstioGateway.Sync, not in the background: tests see the result of all
// the objects written before they sync, and nothing changes in between.
//
// The pod's ports reach the Istio-driven gateway: each listener port is a
// mapping NAMESPACE/GATEWAY:PORT of istiogw, and a kwok PortForward named
// after the pod sends port-forwards to it there.
type deployer struct {
	e     *Env
	mu    sync.Mutex
	addrs map[string]string // "NS/GATEWAY:PORT" -> where istiogw serves it
}

func newDeployer(e *Env) *deployer { return &deployer{e: e, addrs: map[string]string{}} }

// istioClass says whether Istio's controller owns Gateways of class name.
func (d *deployer) istioClass(ctx context.Context, name string) (bool, error) {
	gc, err := d.e.GatewayAPI.GatewayV1().GatewayClasses().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return name == GatewayClassName, nil // Istio's built-in class
	}
	if err != nil {
		return false, err
	}
	return string(gc.Spec.ControllerName) == GatewayController, nil
}

// managed is Istio's IsManaged: no address, or one IP, means Istio deploys
// the gateway; a hostname names an existing Service.
func managed(gw *gatewayv1.Gateway) bool {
	a := gw.Spec.Addresses
	return len(a) == 0 || (len(a) == 1 && a[0].Type != nil && *a[0].Type == gatewayv1.IPAddressType)
}

// reconcile deploys what the Gateways need and removes what no Gateway
// owns any more.
func (d *deployer) reconcile(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	gws, err := d.e.GatewayAPI.GatewayV1().Gateways("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing Gateways: %w", err)
	}
	live := map[types.UID]bool{}
	var deploy []*gatewayv1.Gateway
	for i := range gws.Items {
		gw := &gws.Items[i]
		ok, err := d.istioClass(ctx, string(gw.Spec.GatewayClassName))
		if err != nil {
			return err
		}
		if !ok || !managed(gw) || gw.DeletionTimestamp != nil {
			continue
		}
		live[gw.UID] = true
		deploy = append(deploy, gw)
	}
	// What a deleted Gateway owned goes first: a Gateway created again
	// under its name gets a pod of the same name.
	if err := d.collect(ctx, live); err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, gw := range deploy {
		if err := d.deploy(ctx, gw, keep); err != nil {
			return fmt.Errorf("deploying Gateway %s/%s: %w", gw.Namespace, gw.Name, err)
		}
	}
	for key, addr := range d.addrs {
		if !keep[key] {
			if err := d.e.IstioGateway.unlisten(addr); err != nil {
				return err
			}
			delete(d.addrs, key)
		}
	}
	return nil
}

// servicePorts are the ports of Istio's Service for gw: status-port 15021,
// then one per listener port, with the pod port (targetPort) the same.
func servicePorts(gw *gatewayv1.Gateway) []corev1.ServicePort {
	tcp := "tcp"
	ports := []corev1.ServicePort{{Name: "status-port", Port: 15021, Protocol: corev1.ProtocolTCP, AppProtocol: &tcp, TargetPort: intstr.FromInt32(15021)}}
	used := map[string]bool{"status-port": true}
	seen := map[int32]bool{}
	for i, l := range gw.Spec.Listeners {
		if seen[l.Port] {
			continue
		}
		seen[l.Port] = true
		name := string(l.Name)
		if name == "" {
			name = fmt.Sprintf("%s-%d", strings.ToLower(string(l.Protocol)), i)
		}
		proto := strings.ToLower(string(l.Protocol))
		ports = append(ports, corev1.ServicePort{Name: servicePortName(name, l.Port, used), Port: l.Port,
			Protocol: corev1.ProtocolTCP, AppProtocol: &proto, TargetPort: intstr.FromInt32(l.Port)})
	}
	return ports
}

// labels are the template's: the Gateway's own, then the gateway name and
// class (and, for pods, Istio's canonical service labels).
func labels(gw *gatewayv1.Gateway, pod bool) map[string]string {
	l := map[string]string{}
	if pod {
		l["sidecar.istio.io/inject"] = "false"
		l["service.istio.io/canonical-name"] = GatewayDeploymentName(gw)
		l["service.istio.io/canonical-revision"] = "latest"
	}
	for k, v := range gw.Labels {
		l[k] = v
	}
	l[GatewayNameLabel] = gw.Name
	l["gateway.networking.k8s.io/gateway-class-name"] = string(gw.Spec.GatewayClassName)
	if pod {
		l["gateway.istio.io/managed"] = "istio.io-gateway-controller"
		// Older Istio templates labelled the pods so too; kept for tools
		// that still select on it.
		l["istio.io/gateway-name"] = gw.Name
	}
	return l
}

func owner(gw *gatewayv1.Gateway) []metav1.OwnerReference {
	return []metav1.OwnerReference{{APIVersion: "gateway.networking.k8s.io/v1", Kind: "Gateway", Name: gw.Name, UID: gw.UID}}
}

func (d *deployer) deploy(ctx context.Context, gw *gatewayv1.Gateway, keep map[string]bool) error {
	name := GatewayDeploymentName(gw)
	ports := servicePorts(gw)
	if err := d.ensureService(ctx, gw, name, ports); err != nil {
		return err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: gw.Namespace, Labels: labels(gw, false), OwnerReferences: owner(gw)}}
	if _, err := d.e.Kube.CoreV1().ServiceAccounts(gw.Namespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	fwd := map[int32]string{}
	for _, p := range ports[1:] {
		key := fmt.Sprintf("%s/%s:%d", gw.Namespace, gw.Name, p.Port)
		keep[key] = true
		addr, ok := d.addrs[key]
		if !ok {
			port, err := freePort()
			if err != nil {
				return err
			}
			addr = fmt.Sprintf("127.0.0.1:%d", port)
			if err := d.e.IstioGateway.listen(addr, gw.Namespace+"/"+gw.Name, int(p.Port)); err != nil {
				return err
			}
			d.addrs[key] = addr
		}
		fwd[p.Port] = addr
	}
	// Envoy's admin port (config_dump), as in every Istio proxy pod.
	adminKey := fmt.Sprintf("%s/%s:%d", gw.Namespace, gw.Name, AdminPort)
	keep[adminKey] = true
	if _, ok := d.addrs[adminKey]; !ok {
		port, err := freePort()
		if err != nil {
			return err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if err := d.e.IstioGateway.listen(addr, gw.Namespace+"/"+gw.Name, AdminPort); err != nil {
			return err
		}
		d.addrs[adminKey] = addr
	}
	fwd[AdminPort] = d.addrs[adminKey]
	pod := name + "-0"
	changed, err := d.ensurePortForward(ctx, gw, pod, fwd)
	if err != nil {
		return err
	}
	created, err := d.ensurePod(ctx, gw, pod, ports)
	if err != nil {
		return err
	}
	if created || changed {
		if err := d.e.waitPodReady(ctx, gw.Namespace, pod); err != nil {
			return err
		}
		for port := range fwd {
			if err := d.e.waitForwarded(ctx, gw.Namespace, pod, int(port)); err != nil {
				return err
			}
		}
	}
	return d.ensureEndpoints(ctx, gw, name, pod, ports)
}

func (d *deployer) ensureService(ctx context.Context, gw *gatewayv1.Gateway, name string, ports []corev1.ServicePort) error {
	typ := corev1.ServiceTypeLoadBalancer
	if t := gw.Annotations[ServiceTypeAnnotation]; t != "" {
		typ = corev1.ServiceType(t)
	}
	svcs := d.e.Kube.CoreV1().Services(gw.Namespace)
	cur, err := svcs.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		svc := &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: gw.Namespace, Labels: labels(gw, false),
				Annotations: infraAnnotations(gw), OwnerReferences: owner(gw)},
			Spec: corev1.ServiceSpec{Type: typ, Ports: ports, Selector: map[string]string{GatewayNameLabel: gw.Name}},
		}
		if len(gw.Spec.Addresses) == 1 && typ == corev1.ServiceTypeLoadBalancer {
			svc.Spec.LoadBalancerIP = gw.Spec.Addresses[0].Value
		}
		_, err = svcs.Create(ctx, svc, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	// Keep what the apiserver allocated (node ports) for unchanged ports.
	for i := range ports {
		for _, old := range cur.Spec.Ports {
			if old.Port == ports[i].Port && typ != corev1.ServiceTypeClusterIP {
				ports[i].NodePort = old.NodePort
			}
		}
	}
	if cur.Spec.Type == typ && reflect.DeepEqual(cur.Spec.Ports, ports) {
		return nil
	}
	cur.Spec.Type, cur.Spec.Ports = typ, ports
	_, err = svcs.Update(ctx, cur, metav1.UpdateOptions{})
	return err
}

// infraAnnotations are the Gateway's annotations the template copies.
func infraAnnotations(gw *gatewayv1.Gateway) map[string]string {
	out := map[string]string{}
	for k, v := range gw.Annotations {
		switch k {
		case "kubectl.kubernetes.io/last-applied-configuration", "gateway.istio.io/name-override",
			"gateway.istio.io/service-account", "gateway.istio.io/controller-version":
		default:
			out[k] = v
		}
	}
	return out
}

func (d *deployer) ensurePod(ctx context.Context, gw *gatewayv1.Gateway, name string, ports []corev1.ServicePort) (bool, error) {
	pods := d.e.Kube.CoreV1().Pods(gw.Namespace)
	if _, err := pods.Get(ctx, name, metav1.GetOptions{}); err == nil {
		return false, nil
	} else if !apierrors.IsNotFound(err) {
		return false, err
	}
	if err := d.e.ensureNode(ctx, NodeName); err != nil {
		return false, err
	}
	var cps []corev1.ContainerPort
	for _, p := range ports {
		cps = append(cps, corev1.ContainerPort{Name: p.Name, ContainerPort: p.Port, Protocol: corev1.ProtocolTCP})
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].ContainerPort < cps[j].ContainerPort })
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: gw.Namespace, Labels: labels(gw, true), OwnerReferences: owner(gw)},
		Spec: corev1.PodSpec{
			NodeName:           NodeName,
			ServiceAccountName: GatewayDeploymentName(gw),
			Tolerations:        []corev1.Toleration{{Key: "kwok.x-k8s.io/node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
			Containers:         []corev1.Container{{Name: "istio-proxy", Image: "docker.io/istio/proxyv2:1.28.0", Ports: cps}},
		},
	}
	_, err := pods.Create(ctx, p, metav1.CreateOptions{})
	return err == nil, err
}
