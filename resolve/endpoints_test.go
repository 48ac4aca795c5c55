package resolve

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
)

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
			eps, err := Endpoints(context.Background(), kubelib.Kube(fake.NewClientset(tt.nodes...)), in, tt.role)
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
