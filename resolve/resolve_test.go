package resolve

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
)

var gwLabels = map[string]string{"istio": "ingressgateway", "app": "istio-ingressgateway"}

func svc(ns, name string, typ corev1.ServiceType, sel map[string]string, mut ...func(*corev1.Service)) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: sel},
		Spec: corev1.ServiceSpec{Type: typ, Selector: sel, Ports: []corev1.ServicePort{
			{Name: "status-port", Port: 15021, TargetPort: intstr.FromInt32(15021)},
			{Name: "http2", Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: 31380},
			{Name: "https", Port: 443, TargetPort: intstr.FromInt32(8443), NodePort: 31390},
		}},
	}
	for _, m := range mut {
		m(s)
	}
	return s
}

func pod(ns, name, node string, lbl map[string]string, ready bool) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: lbl},
		Spec: corev1.PodSpec{NodeName: node}, Status: corev1.PodStatus{Phase: corev1.PodPending}}
	if ready {
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	}
	return p
}

func node(name string, ready bool, addrs ...corev1.NodeAddress) *corev1.Node {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}}, Addresses: addrs}}
}

func internal(ip string) corev1.NodeAddress {
	return corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip}
}
func external(ip string) corev1.NodeAddress {
	return corev1.NodeAddress{Type: corev1.NodeExternalIP, Address: ip}
}

func TestFindIngress(t *testing.T) {
	custom := map[string]string{"istio": "my-gw"}
	tests := []struct {
		name    string
		objs    []runtime.Object
		opts    Options
		want    string // namespace/name
		reason  string // substring of Reason; "" means Reason must be empty
		wantErr string
	}{
		{
			name: "seed: one Service selects the gateway pod",
			objs: []runtime.Object{svc("istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, gwLabels),
				pod("istio-system", "gw-1", "n1", gwLabels, true)},
			want: "istio-system/istio-ingressgateway",
		},
		{
			name: "gateway in another namespace, unusual name",
			objs: []runtime.Object{svc("edge", "public", corev1.ServiceTypeLoadBalancer, gwLabels),
				pod("edge", "gw-1", "n1", gwLabels, true)},
			want: "edge/public",
		},
		{
			name: "Service not labelled like the gateway is found by its selector",
			objs: []runtime.Object{svc("edge", "public", corev1.ServiceTypeNodePort, map[string]string{"app": "istio-ingressgateway"}, func(s *corev1.Service) { s.Labels = nil }),
				pod("edge", "gw-1", "n1", gwLabels, true)},
			want: "edge/public",
		},
		{
			name: "several candidates: the externally reachable one wins and the reason says so",
			objs: []runtime.Object{
				svc("istio-system", "internal", corev1.ServiceTypeClusterIP, gwLabels),
				svc("istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, gwLabels),
				pod("istio-system", "gw-1", "n1", gwLabels, true)},
			want:   "istio-system/istio-ingressgateway",
			reason: "2 Services select the gateway pods (istio-system/istio-ingressgateway, istio-system/internal); chose istio-system/istio-ingressgateway: type NodePort is reachable",
		},
		{
			name: "several candidates: the one selecting a Ready pod wins",
			objs: []runtime.Object{
				svc("a", "lb", corev1.ServiceTypeLoadBalancer, gwLabels),
				svc("b", "np", corev1.ServiceTypeNodePort, gwLabels),
				pod("a", "gw-a", "n1", gwLabels, false),
				pod("b", "gw-b", "n1", gwLabels, true)},
			want:   "b/np",
			reason: "it selects a Ready pod",
		},
		{
			name: "override with --ingress-service and --ingress-namespace",
			objs: []runtime.Object{svc("istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, gwLabels),
				svc("other", "gw", corev1.ServiceTypeNodePort, gwLabels),
				pod("istio-system", "gw-1", "n1", gwLabels, true)},
			opts:   Options{Service: "gw", Namespace: "other"},
			want:   "other/gw",
			reason: "--ingress-service other/gw",
		},
		{
			name:    "override naming a missing Service",
			objs:    []runtime.Object{svc("istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, gwLabels)},
			opts:    Options{Service: "nope"},
			wantErr: "no gateway Service istio-system/nope: check --ingress-service and --ingress-namespace",
		},
		{
			name:   "no gateway pod: documented default as the last fall-back",
			objs:   []runtime.Object{svc("istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, gwLabels)},
			want:   "istio-system/istio-ingressgateway",
			reason: "no pod matches the gateway selector istio=ingressgateway in any namespace; using the documented default istio-system/istio-ingressgateway",
		},
		{
			name:    "no gateway pod and no default Service",
			wantErr: "no ingress gateway found: no pod matches istio=ingressgateway and no pod in any namespace has an istio label other than egressgateway or pilot",
		},
		{
			name:    "custom selector matching no pods has no fall-back",
			objs:    []runtime.Object{svc("istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, gwLabels)},
			opts:    Options{Selector: custom},
			wantErr: "no pod matches the gateway selector istio=my-gw in any namespace: check --gateway-selector",
		},
		{
			name: "custom selector",
			objs: []runtime.Object{svc("istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, gwLabels),
				svc("mine", "my-gw", corev1.ServiceTypeNodePort, custom),
				pod("istio-system", "gw-1", "n1", gwLabels, true), pod("mine", "my-gw-1", "n1", custom, true)},
			opts: Options{Selector: custom},
			want: "mine/my-gw",
		},
		{
			name:    "custom selector: pods but no Service",
			objs:    []runtime.Object{pod("mine", "my-gw-1", "n1", custom, true)},
			opts:    Options{Selector: custom},
			wantErr: "no Service selects the gateway pods (istio=my-gw) in namespace mine: name it with --ingress-service",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kube := fake.NewClientset(tt.objs...)
			in, err := FindIngress(context.Background(), kubelib.Kube(kube), tt.opts)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, key(in.Service))
			if tt.reason == "" {
				assert.Empty(t, in.Reason)
			} else {
				assert.Contains(t, in.Reason, tt.reason)
			}
		})
	}
}

func TestPorts(t *testing.T) {
	in := &Ingress{Service: svc("istio-system", "gw", corev1.ServiceTypeNodePort, gwLabels)}
	p, ok := in.Port(RoleHTTP)
	require.True(t, ok)
	assert.Equal(t, "http2", p.Name)
	p, ok = in.Port(RoleHTTPS)
	require.True(t, ok)
	assert.Equal(t, int32(443), p.Port)
	_, ok = in.Port(RoleTCP)
	assert.False(t, ok)

	in.Service.Spec.Ports[1].Name = "http"
	in.Service.Spec.Ports = append(in.Service.Spec.Ports, corev1.ServicePort{Name: "tcp", Port: 31400, TargetPort: intstr.FromInt32(31400)})
	p, _ = in.Port(RoleHTTP)
	assert.Equal(t, "http", p.Name)
	p, _ = in.Port(RoleTCP)
	assert.Equal(t, int32(31400), p.Port)

	for _, tc := range []struct {
		n    int32
		want string
	}{{80, "http"}, {8080, "http"}, {443, "https"}, {8443, "https"}, {15021, "status-port"}} {
		p, ok := in.PortForNumber(tc.n)
		require.True(t, ok, tc.n)
		assert.Equal(t, tc.want, p.Name, tc.n)
	}
	_, ok = in.PortForNumber(9999)
	assert.False(t, ok)
}
