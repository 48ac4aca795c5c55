package resolve

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
)

// helmLabels are the labels of `helm install istio-ingress istio/gateway`.
var helmLabels = map[string]string{"istio": "ingress", "app": "istio-ingress"}

func helmSvc(ns, name string, sel map[string]string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: sel},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: sel, Ports: []corev1.ServicePort{
			{Name: "status-port", Port: 15021, TargetPort: intstr.FromInt32(15021)},
			{Name: "http2", Port: 80, TargetPort: intstr.FromInt32(80)},
			{Name: "https", Port: 443, TargetPort: intstr.FromInt32(443)},
		}},
	}
}

func TestIngressGateways(t *testing.T) {
	lbl := func(v string) map[string]string { return map[string]string{"istio": v} }
	ended := pod("a", "old", "n1", lbl("old"), false)
	ended.Status.Phase = corev1.PodFailed
	going := pod("a", "going", "n1", lbl("going"), true)
	going.DeletionTimestamp = &metav1.Time{}
	pods := []corev1.Pod{
		*pod("istio-ingress", "istio-ingress-1", "n1", helmLabels, false),
		*pod("istio-ingress", "istio-ingress-0", "n1", helmLabels, true),
		*pod("istio-system", "istio-egressgateway-0", "n1", lbl("egressgateway"), true),
		*pod("istio-egress", "egress-0", "n1", lbl("my-egress"), true),
		*pod("istio-system", "istiod-0", "n1", lbl("pilot"), true),
		*pod("gw-public", "public-0", "n1", lbl("public"), true),
		*pod("gw-public", "app-0", "n1", map[string]string{"app": "x"}, true),
		*pod("other", "public-0", "n1", lbl("public"), true),
		*ended, *going,
	}
	var got []string
	for _, g := range IngressGateways(pods) {
		names := ""
		for _, p := range g.Pods {
			names += " " + p.Name
		}
		got = append(got, g.String()+names)
	}
	assert.Equal(t, []string{
		"istio=public (gw-public) public-0",
		"istio=ingress (istio-ingress) istio-ingress-0 istio-ingress-1", // Ready first
		"istio=public (other) public-0",
	}, got)
	assert.Empty(t, IngressGateways(nil))
	for v, want := range map[string]bool{"ingress": true, "ingressgateway": true, "egressgateway": false, "Egress": false, "pilot": false, "istiod": false, "": false} {
		assert.Equal(t, want, IsIngressValue(v), v)
	}
}

func TestFindGateway(t *testing.T) {
	tests := []struct {
		name       string
		objs       []runtime.Object
		opts       Options
		want       string // selector
		discovered bool
		service    string // FindIngress's Service, namespace/name
		found      string // in.Found()
		wantErr    string // whole error text
		errType    func(error) bool
	}{
		{
			name: "Helm gateway only",
			objs: []runtime.Object{helmSvc("istio-ingress", "istio-ingress", helmLabels),
				pod("istio-ingress", "istio-ingress-0", "n1", helmLabels, true)},
			want: "istio=ingress", discovered: true, service: "istio-ingress/istio-ingress",
			found: "Using the ingress gateway istio=ingress (pods in istio-ingress, Service istio-ingress/istio-ingress): no pod matches istio=ingressgateway",
		},
		{
			name: "Helm gateway beside an egress gateway and istiod",
			objs: []runtime.Object{helmSvc("istio-ingress", "istio-ingress", helmLabels),
				pod("istio-ingress", "istio-ingress-0", "n1", helmLabels, true),
				pod("istio-system", "istio-egressgateway-0", "n1", map[string]string{"istio": "egressgateway"}, true),
				pod("istio-system", "istiod-0", "n1", map[string]string{"istio": "pilot", "app": "istiod"}, true)},
			want: "istio=ingress", discovered: true, service: "istio-ingress/istio-ingress",
		},
		{
			name: "istio=ingressgateway pods win: no discovery",
			objs: []runtime.Object{helmSvc("istio-ingress", "istio-ingress", helmLabels),
				pod("istio-ingress", "istio-ingress-0", "n1", helmLabels, true),
				svc("istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, gwLabels),
				pod("istio-system", "gw-1", "n1", gwLabels, true)},
			want: "istio=ingressgateway", service: "istio-system/istio-ingressgateway",
		},
		{
			name: "a given selector is used as it is",
			objs: []runtime.Object{helmSvc("istio-ingress", "istio-ingress", helmLabels),
				pod("istio-ingress", "istio-ingress-0", "n1", helmLabels, true)},
			opts:    Options{Selector: DefaultSelector},
			wantErr: "no gateway Service: no pod matches the gateway selector istio=ingressgateway in any namespace, and there is no Service istio-system/istio-ingressgateway (is the Istio ingress gateway installed? else use --gateway-selector or --ingress-service)",
		},
		{
			name: "two ingress gateways",
			objs: []runtime.Object{pod("istio-ingress", "istio-ingress-0", "n1", helmLabels, true),
				pod("gw-public", "public-0", "n1", map[string]string{"istio": "public"}, true)},
			wantErr: "no pod matches istio=ingressgateway and several ingress gateways run: istio=public (gw-public), istio=ingress (istio-ingress); pick one with --gateway-selector",
			errType: isSeveral,
		},
		{
			name:    "none at all",
			objs:    []runtime.Object{pod("istio-system", "istio-egressgateway-0", "n1", map[string]string{"istio": "egressgateway"}, true)},
			wantErr: "no ingress gateway found: no pod matches istio=ingressgateway and no pod in any namespace has an istio label other than egressgateway or pilot; name the gateway's pod labels with --gateway-selector",
			errType: isNone,
		},
		{
			name:    "none in the namespace asked",
			opts:    Options{Namespace: "edge"},
			wantErr: "no ingress gateway found: no pod in namespace edge matches istio=ingressgateway and none there has an istio label other than egressgateway or pilot; name the gateway's pod labels with --gateway-selector",
			errType: isNone,
		},
		{
			name:    "none, but the documented Service is installed: the default stays",
			objs:    []runtime.Object{svc("istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, gwLabels)},
			want:    "istio=ingressgateway",
			service: "istio-system/istio-ingressgateway",
		},
		{
			name: "found pods without a Service",
			objs: []runtime.Object{pod("istio-ingress", "istio-ingress-0", "n1", helmLabels, true)},
			want: "istio=ingress", discovered: true,
			wantErr: "no Service selects the gateway pods (istio=ingress) in namespace istio-ingress: name it with --ingress-service and --ingress-namespace",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kube := fake.NewClientset(tt.objs...)
			ctx := context.Background()
			g, gerr := FindGateway(ctx, kubelib.Kube(kube), tt.opts)
			in, err := FindIngress(ctx, kubelib.Kube(kube), tt.opts)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				if tt.errType != nil {
					assert.True(t, tt.errType(gerr), "%T", gerr)
				}
			}
			if tt.want != "" {
				require.NoError(t, gerr)
				assert.Equal(t, tt.want, labelString(g.Selector))
				assert.Equal(t, tt.discovered, g.Discovered)
			}
			if tt.service != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.service, key(in.Service))
				assert.Equal(t, tt.want, labelString(in.Selector))
				assert.Equal(t, tt.discovered, in.Discovered)
			}
			if tt.found != "" {
				assert.Equal(t, tt.found, in.Found())
			} else if in != nil && !tt.discovered {
				assert.Empty(t, in.Found())
			}
		})
	}
}

// TestFindGatewayRequests: the search is a label-selector list, never a
// listing of every pod; forbidden cluster-wide it keeps the old behaviour
// and warns.
func TestFindGatewayRequests(t *testing.T) {
	kube := fake.NewClientset(helmSvc("istio-ingress", "istio-ingress", helmLabels),
		pod("istio-ingress", "istio-ingress-0", "n1", helmLabels, true))
	_, err := FindIngress(context.Background(), kubelib.Kube(kube), Options{})
	require.NoError(t, err)
	var sels []string
	for _, a := range kube.Actions() {
		if l, ok := a.(k8stesting.ListAction); ok && a.GetResource().Resource == "pods" {
			sels = append(sels, a.GetNamespace()+"?"+l.GetListRestrictions().Labels.String())
		}
	}
	assert.Equal(t, []string{"?istio=ingressgateway", "?istio"}, sels)

	t.Run("forbidden cluster-wide", func(t *testing.T) {
		kube := fake.NewClientset(svc("istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, gwLabels),
			pod("istio-ingress", "istio-ingress-0", "n1", helmLabels, true))
		kube.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
			if a.GetNamespace() == "" {
				return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no"))
			}
			return false, nil, nil
		})
		in, err := FindIngress(context.Background(), kubelib.Kube(kube), Options{})
		require.NoError(t, err)
		assert.Equal(t, "istio-system/istio-ingressgateway", key(in.Service))
		assert.Equal(t, "istio=ingressgateway", labelString(in.Selector))
		assert.Equal(t, "cannot list pods in all namespaces (forbidden) to look for an ingress gateway other than istio=ingressgateway: using istio=ingressgateway", in.Warning)
		assert.Contains(t, in.Reason, "using the documented default istio-system/istio-ingressgateway")
	})
}

func labelString(sel map[string]string) string { return labels.SelectorFromSet(sel).String() }

func isSeveral(err error) bool { var e *SeveralGatewaysError; return errors.As(err, &e) }
func isNone(err error) bool    { var e *NoGatewayError; return errors.As(err, &e) }
