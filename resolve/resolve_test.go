package resolve

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
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
			in, err := FindIngress(context.Background(), kube, tt.opts)
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

func TestEndpoints(t *testing.T) {
	lb := func(ing ...corev1.LoadBalancerIngress) func(*corev1.Service) {
		return func(s *corev1.Service) { s.Status.LoadBalancer.Ingress = ing }
	}
	local := func(s *corev1.Service) { s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal }
	tests := []struct {
		name        string
		svc         *corev1.Service
		pods        []*corev1.Pod
		nodes       []runtime.Object
		role        Role
		want        []string // scheme://host:port source node
		unreachable string
		wantErr     string
	}{
		{
			name: "LoadBalancer ip and hostname, Service port",
			svc: svc("s", "gw", corev1.ServiceTypeLoadBalancer, gwLabels,
				lb(corev1.LoadBalancerIngress{IP: "9.42.18.65"}, corev1.LoadBalancerIngress{Hostname: "a1.elb.amazonaws.com"})),
			want: []string{"http://9.42.18.65:80 LoadBalancer ", "http://a1.elb.amazonaws.com:80 LoadBalancer "},
		},
		{
			name: "LoadBalancer https",
			svc:  svc("s", "gw", corev1.ServiceTypeLoadBalancer, gwLabels, lb(corev1.LoadBalancerIngress{IP: "9.42.18.65"})),
			role: RoleHTTPS,
			want: []string{"https://9.42.18.65:443 LoadBalancer "},
		},
		{
			name:  "NodePort: gateway pod's node, ExternalIP before InternalIP, nodePort not port",
			svc:   svc("s", "gw", corev1.ServiceTypeNodePort, gwLabels),
			pods:  []*corev1.Pod{pod("s", "p", "n1", gwLabels, true)},
			nodes: []runtime.Object{node("n1", true, internal("10.0.0.1"), external("1.2.3.4"))},
			want:  []string{"http://1.2.3.4:31380 NodePort n1"},
		},
		{
			name:  "pending LoadBalancer falls back to the nodePort",
			svc:   svc("s", "gw", corev1.ServiceTypeLoadBalancer, gwLabels),
			pods:  []*corev1.Pod{pod("s", "p", "n1", gwLabels, true)},
			nodes: []runtime.Object{node("n1", true, internal("10.0.0.1"))},
			want:  []string{"http://10.0.0.1:31380 NodePort n1"},
		},
		{
			name: "never a node that is not Ready",
			svc:  svc("s", "gw", corev1.ServiceTypeNodePort, gwLabels),
			pods: []*corev1.Pod{pod("s", "p1", "n1", gwLabels, true), pod("s", "p2", "n2", gwLabels, true)},
			nodes: []runtime.Object{node("n1", false, internal("10.0.0.1")), node("n2", true, internal("10.0.0.2")),
				node("n3", true, internal("10.0.0.3"))},
			want: []string{"http://10.0.0.2:31380 NodePort n2"},
		},
		{
			name:  "no Ready gateway pod, policy Cluster: any Ready node",
			svc:   svc("s", "gw", corev1.ServiceTypeNodePort, gwLabels),
			pods:  []*corev1.Pod{pod("s", "p1", "n1", gwLabels, false)},
			nodes: []runtime.Object{node("n1", false, internal("10.0.0.1")), node("n3", true, internal("10.0.0.3"))},
			want:  []string{"http://10.0.0.3:31380 NodePort n3"},
		},
		{
			name:        "no Ready gateway pod, policy Local: unreachable",
			svc:         svc("s", "gw", corev1.ServiceTypeNodePort, gwLabels, local),
			nodes:       []runtime.Object{node("n3", true, internal("10.0.0.3"))},
			unreachable: "externalTrafficPolicy Local and no Ready gateway pod",
		},
		{
			name: "externalIPs count",
			svc: svc("s", "gw", corev1.ServiceTypeClusterIP, gwLabels, func(s *corev1.Service) {
				s.Spec.ExternalIPs = []string{"5.6.7.8"}
			}),
			want: []string{"http://5.6.7.8:80 externalIPs "},
		},
		{
			name:        "ClusterIP only",
			svc:         svc("s", "gw", corev1.ServiceTypeClusterIP, gwLabels),
			unreachable: "gateway Service s/gw is of type ClusterIP, without external IPs",
		},
		{
			name:        "all nodes not Ready",
			svc:         svc("s", "gw", corev1.ServiceTypeNodePort, gwLabels),
			pods:        []*corev1.Pod{pod("s", "p1", "n1", gwLabels, true)},
			nodes:       []runtime.Object{node("n1", false, internal("10.0.0.1"))},
			unreachable: "no Ready node with an address serves nodePort 31380",
		},
		{
			name:    "no tcp port",
			svc:     svc("s", "gw", corev1.ServiceTypeNodePort, gwLabels),
			role:    RoleTCP,
			wantErr: "gateway Service s/gw has no tcp port (expected a port named tcp)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.role == "" {
				tt.role = RoleHTTP
			}
			in := &Ingress{Service: tt.svc}
			for _, p := range tt.pods {
				in.Pods = append(in.Pods, *p)
			}
			eps, err := Endpoints(context.Background(), fake.NewClientset(tt.nodes...), in, tt.role)
			var u *Unreachable
			switch {
			case tt.unreachable != "":
				require.True(t, errors.As(err, &u), "want *Unreachable, got %v", err)
				assert.Contains(t, err.Error(), tt.unreachable)
				assert.Contains(t, err.Error(), "kubectl expose-gw proxy")
				return
			case tt.wantErr != "":
				require.Error(t, err)
				assert.False(t, errors.As(err, &u))
				assert.Equal(t, tt.wantErr, err.Error())
				return
			}
			require.NoError(t, err)
			var got []string
			for _, e := range eps {
				got = append(got, e.Scheme+"://"+e.Host+":"+itoa(e.Port)+" "+e.Source+" "+e.Node)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
