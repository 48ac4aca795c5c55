package apis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	istiofake "istio.io/client-go/pkg/clientset/versioned/fake"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	k8sfake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwfake "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/fake"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// cluster is a cluster of client-go fakes: Kubernetes, Istio and the
// Gateway API, each with the objects given and the reactors the cases
// prepend (an API not served, a user refused).
type cluster struct {
	kube  []runtime.Object
	istio []runtime.Object
	gw    []runtime.Object
	// react prepends reactors to the fakes before the Set is built.
	react func(k *k8sfake.Clientset, i *istiofake.Clientset, g *gwfake.Clientset)
}

// set is the APIs of a command on c's fakes, namespace "default"; it is
// closed when the test ends (the Istio ingress look-up may still run).
func (c cluster) set(t *testing.T) *apis.Set {
	t.Helper()
	k := k8sfake.NewClientset(c.kube...)
	// The fakes file the objects they are given under the resource
	// meta.UnsafeGuessKindToResource guesses, "gatewaies" for a Gateway:
	// Gateways of both APIs are created through their clients instead, on
	// the simple trackers (the field-managed one of NewClientset maps
	// kinds to resources by the same guess).
	var istioObjs, gwObjs []runtime.Object
	var istioGWs []*networkingv1.Gateway
	var gwGWs []*gwv1.Gateway
	for _, o := range c.istio {
		if g, ok := o.(*networkingv1.Gateway); ok {
			istioGWs = append(istioGWs, g)
		} else {
			istioObjs = append(istioObjs, o)
		}
	}
	for _, o := range c.gw {
		if g, ok := o.(*gwv1.Gateway); ok {
			gwGWs = append(gwGWs, g)
		} else {
			gwObjs = append(gwObjs, o)
		}
	}
	i := istiofake.NewSimpleClientset(istioObjs...)
	g := gwfake.NewSimpleClientset(gwObjs...)
	ctx := context.Background()
	for _, o := range istioGWs {
		_, err := i.NetworkingV1().Gateways(o.Namespace).Create(ctx, o.DeepCopy(), metav1.CreateOptions{})
		require.NoError(t, err)
	}
	for _, o := range gwGWs {
		_, err := g.GatewayV1().Gateways(o.Namespace).Create(ctx, o.DeepCopy(), metav1.CreateOptions{})
		require.NoError(t, err)
	}
	if c.react != nil {
		c.react(k, i, g)
	}
	clients := &kube.Clients{
		Kube:      kubelib.Kube(k),
		Istio:     kubelib.Istio(i),
		Gateway:   kubelib.Gateway(g.GatewayV1()),
		Namespace: "default",
	}
	s := apis.New(ctx, clients)
	t.Cleanup(s.Close)
	return s
}

type reactor interface {
	PrependReactor(verb, resource string, fn k8stesting.ReactionFunc)
}

// unserved makes every list of resource ("*": of every resource) of f
// answer as an apiserver without the CRD does: a 404 naming no object.
func unserved(f reactor, resource string) {
	f.PrependReactor("list", resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(a.GetResource().GroupResource(), "")
	})
}

// noMatch makes every list of resource of f fail as a RESTMapper does for
// a group it does not know.
func noMatch(f reactor, resource string) {
	f.PrependReactor("list", resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
		gvr := a.GetResource()
		return true, nil, &meta.NoResourceMatchError{PartialResource: gvr}
	})
}

// forbid makes every list of resource of f refused by RBAC, as the
// apiserver words it.
func forbid(f reactor, resource string) {
	f.PrependReactor("list", resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
		gvr := a.GetResource()
		return true, nil, apierrors.NewForbidden(gvr.GroupResource(), "", fmt.Errorf(
			"User \"dev\" cannot list resource %q in API group %q in the namespace %q", gvr.Resource, gvr.Group, a.GetNamespace()))
	})
}

// fail makes every list of resource of f fail with err.
func fail(f reactor, resource string, err error) {
	f.PrependReactor("list", resource, func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, err
	})
}

// ingressPod is a Running, Ready pod of istio-system labelled istio=value.
func ingressPod(name, value string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "istio-system", Labels: map[string]string{"istio": value}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
}

// ingressService is the Service of istio-system selecting istio=value.
func ingressService(name, value string) *corev1.Service {
	sel := map[string]string{"istio": value}
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "istio-system", Labels: sel},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: sel, Ports: []corev1.ServicePort{
			{Name: "http2", Port: 80, TargetPort: intstr.FromInt32(8080)},
			{Name: "https", Port: 443, TargetPort: intstr.FromInt32(8443)},
		}},
	}
}

// istioGateway is the Istio ingress gateway of istioctl's install: its
// pod and Service.
func istioGateway() []runtime.Object {
	return []runtime.Object{ingressPod("istio-ingressgateway-7d9f-abcde", "ingressgateway"), ingressService("istio-ingressgateway", "ingressgateway")}
}

func gatewayClass(name, controller string) *gwv1.GatewayClass {
	return &gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: gwv1.GatewayClassSpec{ControllerName: gwv1.GatewayController(controller)}}
}

func gwGateway(ns, name, class string) *gwv1.Gateway {
	return &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(class),
			Listeners: []gwv1.Listener{{Name: "http", Port: 80, Protocol: gwv1.HTTPProtocolType}}}}
}

func istioGatewayObj(ns, name string) *networkingv1.Gateway {
	return &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: apinet.Gateway{Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*apinet.Server{{Hosts: []string{"*"}, Port: &apinet.Port{Number: 80, Name: "http", Protocol: "HTTP"}}}}}
}

// virtualService is VirtualService default/name for every host, bound to
// Gateway default/expose-gw, sending prefix / to Service svc.
func virtualService(name, svc string) *networkingv1.VirtualService {
	return &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: apinet.VirtualService{Hosts: []string{"*"}, Gateways: []string{"expose-gw"}, Http: []*apinet.HTTPRoute{{
			Name:  svc,
			Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: "/"}}}},
			Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{
				Host: svc + ".default.svc.cluster.local", Port: &apinet.PortSelector{Number: 80}}}},
		}}}}
}

// httpRoute is HTTPRoute default/name attached to Gateway default/web,
// sending every path to Service svc.
func httpRoute(name, svc string) *gwv1.HTTPRoute {
	port := gwv1.PortNumber(80)
	return &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: gwv1.HTTPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Name: "web"}}},
			Rules: []gwv1.HTTPRouteRule{{BackendRefs: []gwv1.HTTPBackendRef{{BackendRef: gwv1.BackendRef{
				BackendObjectReference: gwv1.BackendObjectReference{Name: gwv1.ObjectName(svc), Port: &port}}}}}},
		}}
}

// routes is each API's routes: VirtualService default/expose-gw-any on
// Istio Gateway default/expose-gw, HTTPRoute default/webapp on Gateway
// API Gateway default/web of class istio.
func routes() (istioObjs, gwObjs []runtime.Object) {
	return []runtime.Object{istioGatewayObj("default", "expose-gw"), virtualService("expose-gw-any", "flaskapp")},
		[]runtime.Object{gatewayClass(gwapi.ClassName, gwapi.ControllerName), gwGateway("default", "web", gwapi.ClassName), httpRoute("webapp", "webapp")}
}

// TestChoose: --api names the API; auto picks it from --gateway, the
// Istio API's flags, the ingress gateway's pods, Istio's GatewayClass,
// and says why only when it picks the Gateway API.
func TestChoose(t *testing.T) {
	ref := func(ns, name string) *route.ObjectRef { return &route.ObjectRef{Namespace: ns, Name: name} }
	noPodsLine := fmt.Sprintf("using the Kubernetes Gateway API: no Istio ingress gateway pods (no pod matches istio=ingressgateway), and GatewayClass %%s is Istio's (%s); --api chooses\n", gwapi.ControllerName)
	istioClass := gatewayClass(gwapi.ClassName, gwapi.ControllerName)
	cases := []struct {
		name    string
		cluster cluster
		choice  apis.Choice
		want    string // the API's Name; "" when an error is expected
		said    string
		// noAPI is the *NoAPIError expected (its CRDsMissing), errText
		// another error's words.
		noAPI   *bool
		errText string
	}{
		{name: "--api istio, though only the Gateway API is there",
			cluster: cluster{gw: []runtime.Object{istioClass}},
			choice:  apis.Choice{Flag: route.APIIstio}, want: route.APIIstio},
		{name: "--api gateway-api, though the Istio ingress gateway runs",
			cluster: cluster{kube: istioGateway()},
			choice:  apis.Choice{Flag: route.APIGateway}, want: route.APIGateway},
		{name: "auto: istio=ingressgateway pods pick the Istio API, silently, over Istio's GatewayClass",
			cluster: cluster{kube: istioGateway(), gw: []runtime.Object{istioClass}},
			choice:  apis.Choice{Flag: apis.Auto}, want: route.APIIstio},
		{name: "auto: the one ingress gateway found by its istio label picks the Istio API",
			cluster: cluster{kube: []runtime.Object{ingressPod("istio-ingress-0", "ingress"), ingressService("istio-ingress", "ingress")}, gw: []runtime.Object{istioClass}},
			choice:  apis.Choice{Flag: apis.Auto}, want: route.APIIstio},
		{name: "auto: an egress gateway's pods are no ingress gateway",
			cluster: cluster{kube: []runtime.Object{ingressPod("istio-egressgateway-0", "egressgateway")}, gw: []runtime.Object{istioClass}},
			choice:  apis.Choice{Flag: apis.Auto}, want: route.APIGateway, said: fmt.Sprintf(noPodsLine, "istio")},
		{name: "auto: no pods and GatewayClass istio pick the Gateway API and say so",
			cluster: cluster{gw: []runtime.Object{istioClass}},
			choice:  apis.Choice{Flag: apis.Auto}, want: route.APIGateway, said: fmt.Sprintf(noPodsLine, "istio")},
		{name: "auto: the line names a class of Istio's controller by its own name",
			cluster: cluster{gw: []runtime.Object{gatewayClass("mesh-edge", gwapi.ControllerName), gatewayClass("cilium", "io.cilium/gateway-controller")}},
			choice:  apis.Choice{Flag: apis.Auto}, want: route.APIGateway, said: fmt.Sprintf(noPodsLine, "mesh-edge")},
		{name: "auto: no pods and only another controller's class",
			cluster: cluster{gw: []runtime.Object{gatewayClass("cilium", "io.cilium/gateway-controller")}},
			choice:  apis.Choice{Flag: apis.Auto}, noAPI: new(false)},
		{name: "auto: no pods and no GatewayClass",
			choice: apis.Choice{Flag: apis.Auto}, noAPI: new(false)},
		{name: "auto: no pods and the Gateway API not served (404)",
			cluster: cluster{react: func(_ *k8sfake.Clientset, _ *istiofake.Clientset, g *gwfake.Clientset) { unserved(g, "*") }},
			choice:  apis.Choice{Flag: apis.Auto}, noAPI: new(true)},
		{name: "auto: no pods and the Gateway API not served (no match)",
			cluster: cluster{react: func(_ *k8sfake.Clientset, _ *istiofake.Clientset, g *gwfake.Clientset) { noMatch(g, "gatewayclasses") }},
			choice:  apis.Choice{Flag: apis.Auto}, noAPI: new(true)},
		{name: "auto: no pods and GatewayClasses forbidden is no *NoAPIError",
			cluster: cluster{react: func(_ *k8sfake.Clientset, _ *istiofake.Clientset, g *gwfake.Clientset) { forbid(g, "gatewayclasses") }},
			choice:  apis.Choice{Flag: apis.Auto},
			errText: `no Istio ingress gateway pods (no ingress gateway found: no pod matches istio=ingressgateway and no pod in any namespace has an istio label other than egressgateway or pilot; name the gateway's pod labels with --gateway-selector) and cannot list GatewayClasses: forbidden: you may not list gatewayclasses.gateway.networking.k8s.io`},
		{name: "auto: --gateway NS/NAME of a Gateway API Gateway picks the Gateway API over the pods",
			cluster: cluster{kube: istioGateway(), gw: []runtime.Object{istioClass, gwGateway("infra", "web", gwapi.ClassName)}},
			choice:  apis.Choice{Flag: apis.Auto, Gateway: ref("infra", "web")}, want: route.APIGateway,
			said: "using the Kubernetes Gateway API: --gateway infra/web is a Gateway API Gateway; --api chooses\n"},
		{name: "auto: --gateway NS/NAME of an Istio Gateway picks the Istio API without pods",
			cluster: cluster{istio: []runtime.Object{istioGatewayObj("infra", "web")}, gw: []runtime.Object{istioClass}},
			choice:  apis.Choice{Flag: apis.Auto, Gateway: ref("infra", "web")}, want: route.APIIstio},
		{name: "auto: a name of both APIs is the Istio API's",
			cluster: cluster{istio: []runtime.Object{istioGatewayObj("infra", "web")}, gw: []runtime.Object{istioClass, gwGateway("infra", "web", gwapi.ClassName)}},
			choice:  apis.Choice{Flag: apis.Auto, Gateway: ref("infra", "web")}, want: route.APIIstio},
		{name: "auto: --gateway naming no Gateway decides as without it",
			cluster: cluster{gw: []runtime.Object{istioClass, gwGateway("infra", "web", gwapi.ClassName)}},
			choice:  apis.Choice{Flag: apis.Auto, Gateway: ref("infra", "other")}, want: route.APIGateway, said: fmt.Sprintf(noPodsLine, "istio")},
		{name: "auto: an Istio API flag picks the Istio API without pods",
			cluster: cluster{gw: []runtime.Object{istioClass}},
			choice:  apis.Choice{Flag: apis.Auto, IstioFlags: true}, want: route.APIIstio},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var said bytes.Buffer
			ch := c.choice
			ch.Say = cli.Line(&said)
			api, err := c.cluster.set(t).Choose(context.Background(), ch)
			switch {
			case c.noAPI != nil:
				var no *apis.NoAPIError
				require.ErrorAs(t, err, &no)
				assert.Nil(t, api)
				assert.Equal(t, *c.noAPI, no.CRDsMissing)
				require.NotNil(t, no.Istio)
				assert.Equal(t, "", no.Istio.Namespace, "the pods of every namespace were searched")
				if *c.noAPI {
					assert.ErrorContains(t, err, "nor does the cluster serve the Gateway API: install its CRDs ("+gwapi.Install+")")
				} else {
					assert.ErrorContains(t, err, "nor is there a GatewayClass of Istio's controller istio.io/gateway-controller")
				}
			case c.errText != "":
				require.Error(t, err)
				assert.Nil(t, api)
				var no *apis.NoAPIError
				assert.False(t, errors.As(err, &no), "%v", err)
				assert.ErrorContains(t, err, c.errText)
			default:
				require.NoError(t, err)
				require.NotNil(t, api)
				assert.Equal(t, c.want, api.Name())
			}
			assert.Equal(t, c.said, said.String())
		})
	}
}

// rowsOf is "api namespace/object host match gateway" of each API's rows,
// in the order Read found them.
func rowsOf(res *apis.Result[route.RouteRow]) []string {
	var out []string
	for _, f := range res.Found {
		for _, r := range f.Items {
			obj := r.VirtualService + r.HTTPRoute
			out = append(out, fmt.Sprintf("%s:%s %s/%s %s %s %s", f.API.Name(), r.API, r.Namespace, obj, r.Host, r.Match, r.Gateway))
		}
	}
	return out
}

func apiNames[T any](found []apis.Found[T]) []string {
	out := []string{}
	for _, f := range found {
		out = append(out, f.API.Name())
	}
	return out
}

// TestReadRows: list's read (Read over the adapters' Rows) on fakes, the
// errors classified by the adapters and kube.ExplainAPIError as a cluster
// answers them: an API not served has nothing, one refused is left out
// with a warning when the other found something, other errors end the read.
func TestReadRows(t *testing.T) {
	istioObjs, gwObjs := routes()
	istioRow := "istio:istio default/expose-gw-any * prefix / default/expose-gw"
	gwRow := "gateway-api:gateway-api default/webapp * prefix / default/web"
	internal := apierrors.NewInternalError(errors.New("etcdserver: request timed out"))
	type react = func(k *k8sfake.Clientset, i *istiofake.Clientset, g *gwfake.Clientset)
	cases := []struct {
		name    string
		noIstio bool // no Istio objects
		noGW    bool // no Gateway API objects
		react   react
		// On success:
		rows     []string
		found    []string // the APIs that answered
		warnings []string
		unserved string // in Result.Unserved, "" for nil
		// On error:
		err       string
		notServed bool
		forbidden bool
	}{
		{name: "both answer, the Istio API first",
			rows: []string{istioRow, gwRow}, found: []string{"istio", "gateway-api"}},
		{name: "both served, nothing in either",
			noIstio: true, noGW: true, rows: nil, found: []string{"istio", "gateway-api"}},
		{name: "Istio not served (404 naming no object): the Gateway API's alone",
			react: func(_ *k8sfake.Clientset, i *istiofake.Clientset, _ *gwfake.Clientset) { unserved(i, "*") },
			rows:  []string{gwRow}, found: []string{"gateway-api"},
			unserved: "cannot list virtualservices.networking.istio.io: the networking.istio.io API is not served by this cluster (is Istio installed?): virtualservices.networking.istio.io \"\" not found"},
		{name: "Istio not served (no match): the Gateway API's alone",
			react: func(_ *k8sfake.Clientset, i *istiofake.Clientset, _ *gwfake.Clientset) { noMatch(i, "*") },
			rows:  []string{gwRow}, found: []string{"gateway-api"},
			unserved: "cannot list virtualservices.networking.istio.io: the networking.istio.io API is not served by this cluster (is Istio installed?)"},
		{name: "the Gateway API not served: the Istio API's alone",
			react: func(_ *k8sfake.Clientset, _ *istiofake.Clientset, g *gwfake.Clientset) { unserved(g, "*") },
			rows:  []string{istioRow}, found: []string{"istio"},
			unserved: "cannot list httproutes.gateway.networking.k8s.io: the Gateway API (gateway.networking.k8s.io) is not served by this cluster (are its CRDs installed?)"},
		{name: "Istio's VirtualServices served, its Gateways not: still not served",
			react: func(_ *k8sfake.Clientset, i *istiofake.Clientset, _ *gwfake.Clientset) { unserved(i, "gateways") },
			rows:  []string{gwRow}, found: []string{"gateway-api"},
			unserved: "cannot list gateways.networking.istio.io: the networking.istio.io API is not served by this cluster (is Istio installed?)"},
		{name: "neither served: the Istio API's error",
			react: func(_ *k8sfake.Clientset, i *istiofake.Clientset, g *gwfake.Clientset) {
				unserved(i, "*")
				unserved(g, "*")
			},
			err: "cannot list virtualservices.networking.istio.io: the networking.istio.io API is not served by this cluster (is Istio installed?)", notServed: true},
		{name: "Istio refused while the Gateway API found routes: left out, with a warning",
			react: func(_ *k8sfake.Clientset, i *istiofake.Clientset, _ *gwfake.Clientset) { forbid(i, "virtualservices") },
			rows:  []string{gwRow}, found: []string{"gateway-api"},
			warnings: []string{`forbidden: you may not list virtualservices.networking.istio.io (ask for RBAC permission to "list" "virtualservices.networking.istio.io"): ` +
				`virtualservices.networking.istio.io is forbidden: User "dev" cannot list resource "virtualservices" in API group "networking.istio.io" in the namespace "default": ` +
				`only the Kubernetes Gateway API's routes are listed`}},
		{name: "the Gateway API refused while Istio found routes: left out, with a warning",
			react: func(_ *k8sfake.Clientset, _ *istiofake.Clientset, g *gwfake.Clientset) { forbid(g, "httproutes") },
			rows:  []string{istioRow}, found: []string{"istio"},
			warnings: []string{`forbidden: you may not list httproutes.gateway.networking.k8s.io (ask for RBAC permission to "list" "httproutes.gateway.networking.k8s.io"): ` +
				`httproutes.gateway.networking.k8s.io is forbidden: User "dev" cannot list resource "httproutes" in API group "gateway.networking.k8s.io" in the namespace "default": ` +
				`only the Istio API's routes are listed`}},
		{name: "Istio refused while the Gateway API found nothing: the refusal is the error",
			noGW:  true,
			react: func(_ *k8sfake.Clientset, i *istiofake.Clientset, _ *gwfake.Clientset) { forbid(i, "virtualservices") },
			err:   `forbidden: you may not list virtualservices.networking.istio.io (ask for RBAC permission to "list" "virtualservices.networking.istio.io")`, forbidden: true},
		{name: "Istio refused, the Gateway API not served: the refusal is the error",
			react: func(_ *k8sfake.Clientset, i *istiofake.Clientset, g *gwfake.Clientset) {
				forbid(i, "virtualservices")
				unserved(g, "*")
			},
			err: `forbidden: you may not list virtualservices.networking.istio.io`, forbidden: true},
		{name: "both refused: the Istio API's refusal",
			react: func(_ *k8sfake.Clientset, i *istiofake.Clientset, g *gwfake.Clientset) {
				forbid(i, "virtualservices")
				forbid(g, "httproutes")
			},
			err: `forbidden: you may not list virtualservices.networking.istio.io`, forbidden: true},
		{name: "another error of Istio ends the read, though the Gateway API found routes",
			react: func(_ *k8sfake.Clientset, i *istiofake.Clientset, _ *gwfake.Clientset) {
				fail(i, "virtualservices", internal)
			},
			err: "cannot list virtualservices.networking.istio.io: Internal error occurred: etcdserver: request timed out"},
		{name: "another error of the Gateway API ends the read, though Istio found routes",
			react: func(_ *k8sfake.Clientset, _ *istiofake.Clientset, g *gwfake.Clientset) {
				fail(g, "httproutes", internal)
			},
			err: "cannot list httproutes.gateway.networking.k8s.io: Internal error occurred: etcdserver: request timed out"},
		{name: "a 404 naming an object is no API missing: the error",
			react: func(_ *k8sfake.Clientset, i *istiofake.Clientset, _ *gwfake.Clientset) {
				fail(i, "virtualservices", apierrors.NewNotFound(schema.GroupResource{Group: "networking.istio.io", Resource: "virtualservices"}, "expose-gw-any"))
			},
			err: `cannot list virtualservices.networking.istio.io: virtualservices.networking.istio.io "expose-gw-any" not found`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := cluster{istio: istioObjs, gw: gwObjs, react: c.react}
			if c.noIstio {
				cl.istio = nil
			}
			if c.noGW {
				cl.gw = nil
			}
			set := cl.set(t)
			res, err := apis.Read(context.Background(), set.All(), "listed", counted(func(ctx context.Context, api apis.API) ([]route.RouteRow, error) {
				return api.Rows(ctx, "default")
			}))
			if c.err != "" {
				require.Error(t, err)
				assert.Nil(t, res)
				assert.ErrorContains(t, err, c.err)
				assert.Equal(t, c.notServed, kube.NotServed(err), "not served: %v", err)
				assert.Equal(t, c.forbidden, apierrors.IsForbidden(err), "forbidden: %v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.rows, rowsOf(res))
			assert.Equal(t, c.found, apiNames(res.Found))
			assert.Equal(t, c.warnings, res.Warnings)
			if c.unserved == "" {
				assert.NoError(t, res.Unserved)
			} else {
				require.Error(t, res.Unserved)
				assert.True(t, kube.NotServed(res.Unserved))
				assert.ErrorContains(t, res.Unserved, c.unserved)
			}
		})
	}
}

// fakeAPI is an API of the given title whose reads the test supplies
// (its other methods are not called).
type fakeAPI struct {
	apis.API
	name string
}

func (f *fakeAPI) Name() string  { return f.name }
func (f *fakeAPI) Title() string { return f.name + " API" }

// TestReadPolicy: Read's policy on answers given directly: order is the
// APIs', not the answers'; the warning names every API that answered and
// ends with what; only the first unserved error is kept.
func TestReadPolicy(t *testing.T) {
	a, b, c := &fakeAPI{name: "a"}, &fakeAPI{name: "b"}, &fakeAPI{name: "c"}
	forbidden := kube.ExplainAPIError(apierrors.NewForbidden(schema.GroupResource{Group: "networking.istio.io", Resource: "virtualservices"}, "", errors.New("no")), "delete", istio.VirtualServicesResource)
	notServedVS := kube.ExplainAPIError(apierrors.NewNotFound(schema.GroupResource{Group: "networking.istio.io", Resource: "virtualservices"}, ""), "list", istio.VirtualServicesResource)
	notServedRoutes := kube.ExplainAPIError(apierrors.NewNotFound(schema.GroupResource{Group: "gateway.networking.k8s.io", Resource: "httproutes"}, ""), "list", gwapi.HTTPRoutesResource)

	t.Run("order is the APIs' when the first answers last", func(t *testing.T) {
		bDone := make(chan struct{})
		res, err := apis.Read(context.Background(), []apis.API{a, b}, "listed", counted(func(_ context.Context, api apis.API) ([]string, error) {
			if api == a {
				<-bDone
				return []string{"from a"}, nil
			}
			defer close(bDone)
			return []string{"from b"}, nil
		}))
		require.NoError(t, err)
		require.Len(t, res.Found, 2)
		assert.Equal(t, apis.API(a), res.Found[0].API)
		assert.Equal(t, []string{"from a"}, res.Found[0].Items)
		assert.Equal(t, apis.API(b), res.Found[1].API)
		assert.Equal(t, []string{"from b"}, res.Found[1].Items)
	})

	t.Run("the warning names every API that answered", func(t *testing.T) {
		res, err := apis.Read(context.Background(), []apis.API{a, b, c}, "deleted", counted(func(_ context.Context, api apis.API) ([]string, error) {
			switch api {
			case a:
				return nil, forbidden
			case b:
				return nil, nil
			}
			return []string{"x"}, nil
		}))
		require.NoError(t, err)
		assert.Equal(t, []string{"b", "c"}, apiNames(res.Found))
		assert.Equal(t, []string{forbidden.Error() + ": only the b API or c API's routes are deleted"}, res.Warnings)
	})

	t.Run("an answer found without items keeps the refusal a warning", func(t *testing.T) {
		// A delete's later round: its routes are gone (nothing to change,
		// no error) while the other API is refused.
		read := func(_ context.Context, api apis.API) ([]string, bool, error) {
			if api == a {
				return nil, true, nil
			}
			return nil, false, forbidden
		}
		res, err := apis.Read(context.Background(), []apis.API{a, b}, "deleted", read)
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, apiNames(res.Found))
		assert.Equal(t, []string{forbidden.Error() + ": only the a API's routes are deleted"}, res.Warnings)

		// The same answer counted as nothing: the refusal is the error.
		_, err = apis.Read(context.Background(), []apis.API{a, b}, "deleted", func(ctx context.Context, api apis.API) ([]string, bool, error) {
			items, _, err := read(ctx, api)
			return items, false, err
		})
		assert.Equal(t, forbidden, err)
	})

	t.Run("the first unserved error is kept", func(t *testing.T) {
		res, err := apis.Read(context.Background(), []apis.API{a, b, c}, "listed", counted(func(_ context.Context, api apis.API) ([]string, error) {
			switch api {
			case a:
				return nil, notServedVS
			case b:
				return nil, notServedRoutes
			}
			return nil, nil
		}))
		require.NoError(t, err)
		assert.Equal(t, []string{"c"}, apiNames(res.Found))
		assert.Equal(t, notServedVS, res.Unserved)
		assert.Empty(t, res.Warnings)
	})

	t.Run("a bare NotFound is not 'not served': ExplainAPIError decides", func(t *testing.T) {
		bare := apierrors.NewNotFound(schema.GroupResource{Group: "networking.istio.io", Resource: "virtualservices"}, "")
		res, err := apis.Read(context.Background(), []apis.API{a, b}, "listed", counted(func(_ context.Context, api apis.API) ([]string, error) {
			if api == a {
				return nil, bare
			}
			return []string{"x"}, nil
		}))
		assert.Nil(t, res)
		assert.Equal(t, error(bare), err)
	})
}

// TestForService: url's and proxy's APIs for a SERVICE.
func TestForService(t *testing.T) {
	istioObjs, gwObjs := routes()
	cl := cluster{kube: istioGateway(), istio: istioObjs, gw: gwObjs}
	cases := []struct {
		name   string
		choice apis.Choice
		want   []string
		said   string
	}{
		{"--api istio", apis.Choice{Flag: route.APIIstio}, []string{"istio"}, ""},
		{"--api gateway-api", apis.Choice{Flag: route.APIGateway}, []string{"gateway-api"}, ""},
		{"--api istio with a --gateway of the Gateway API: the flag's", apis.Choice{Flag: route.APIIstio, Gateway: &route.ObjectRef{Namespace: "default", Name: "web"}}, []string{"istio"}, ""},
		{"auto: both, the Istio API first, though its pods run", apis.Choice{Flag: apis.Auto}, []string{"istio", "gateway-api"}, ""},
		{"auto with an Istio API flag but no --gateway: both", apis.Choice{Flag: apis.Auto, IstioFlags: true}, []string{"istio", "gateway-api"}, ""},
		{"auto with --gateway of the Gateway API: that API, said", apis.Choice{Flag: apis.Auto, Gateway: &route.ObjectRef{Namespace: "default", Name: "web"}},
			[]string{"gateway-api"}, "using the Kubernetes Gateway API: --gateway default/web is a Gateway API Gateway; --api chooses\n"},
		{"auto with --gateway of the Istio API: that API", apis.Choice{Flag: apis.Auto, Gateway: &route.ObjectRef{Namespace: "default", Name: "expose-gw"}},
			[]string{"istio"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var said bytes.Buffer
			ch := c.choice
			ch.Say = cli.Line(&said)
			got, err := cl.set(t).ForService(context.Background(), ch)
			require.NoError(t, err)
			names := make([]string, len(got))
			for i, a := range got {
				names[i] = a.Name()
			}
			assert.Equal(t, c.want, names)
			assert.Equal(t, c.said, said.String())
		})
	}

	t.Run("auto with a --gateway naming nothing, no pods, no class: the *NoAPIError", func(t *testing.T) {
		_, err := cluster{}.set(t).ForService(context.Background(), apis.Choice{Flag: apis.Auto, Gateway: &route.ObjectRef{Namespace: "default", Name: "nope"}, Say: cli.Line(&bytes.Buffer{})})
		var no *apis.NoAPIError
		require.ErrorAs(t, err, &no)
		assert.False(t, no.CRDsMissing)
	})
}

// TestNeither: auto's one error for no Istio ingress gateway pods and no
// Gateway of Istio's class, though its GatewayClass exists.
func TestNeither(t *testing.T) {
	istioClass := gatewayClass(gwapi.ClassName, gwapi.ControllerName)
	auto := apis.Choice{Flag: apis.Auto}
	cases := []struct {
		name    string
		cluster cluster
		choice  apis.Choice
		err     string
	}{
		{name: "no pods, Istio's class, no Gateway of it",
			cluster: cluster{gw: []runtime.Object{istioClass, gwGateway("default", "other", "cilium")}},
			choice:  auto,
			err: "no ingress gateway found: no pod matches istio=ingressgateway and no pod in any namespace has an istio label other than egressgateway or pilot; name the gateway's pod labels with --gateway-selector" +
				"; nor is there a Gateway of class istio for the Gateway API (create one with `kubectl expose-gw SERVICE`)"},
		{name: "a Gateway of class istio in another namespace",
			cluster: cluster{gw: []runtime.Object{istioClass, gwGateway("infra", "web", gwapi.ClassName)}}, choice: auto},
		{name: "ingress gateway pods", cluster: cluster{kube: istioGateway(), gw: []runtime.Object{istioClass}}, choice: auto},
		{name: "Gateways readable in this namespace only: nothing claimed of the others",
			cluster: cluster{gw: []runtime.Object{istioClass, gwGateway("infra", "web", gwapi.ClassName)},
				react: func(_ *k8sfake.Clientset, _ *istiofake.Clientset, g *gwfake.Clientset) {
					g.PrependReactor("list", "gateways", func(a k8stesting.Action) (bool, runtime.Object, error) {
						if a.GetNamespace() != "" {
							return false, nil, nil
						}
						return true, nil, apierrors.NewForbidden(a.GetResource().GroupResource(), "", errors.New("cluster-wide"))
					})
				}},
			choice: auto},
		{name: "no class: Choose decides", cluster: cluster{}, choice: auto},
		{name: "the Gateway API not served: Choose decides",
			cluster: cluster{react: func(_ *k8sfake.Clientset, _ *istiofake.Clientset, g *gwfake.Clientset) { unserved(g, "*") }}, choice: auto},
		{name: "--api gateway-api", cluster: cluster{gw: []runtime.Object{istioClass}}, choice: apis.Choice{Flag: route.APIGateway}},
		{name: "an Istio API flag", cluster: cluster{gw: []runtime.Object{istioClass}}, choice: apis.Choice{Flag: apis.Auto, IstioFlags: true}},
		{name: "--gateway", cluster: cluster{gw: []runtime.Object{istioClass}}, choice: apis.Choice{Flag: apis.Auto, Gateway: &route.ObjectRef{Namespace: "default", Name: "web"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cluster.set(t).Neither(context.Background(), c.choice)
			if c.err == "" {
				assert.NoError(t, err)
				return
			}
			require.EqualError(t, err, c.err)
			var none *resolve.NoGatewayError
			assert.ErrorAs(t, err, &none)
		})
	}
}

// TestNamedDefaultStores: the --api values' APIs, the default, and the
// writers of both APIs' kinds.
func TestNamedDefaultStores(t *testing.T) {
	set := cluster{}.set(t)
	assert.Equal(t, "gateway-api", set.Named(route.APIGateway).Name())
	assert.Equal(t, "Kubernetes Gateway API", set.Named(route.APIGateway).Title())
	assert.Equal(t, "istio", set.Named(route.APIIstio).Name())
	assert.Equal(t, "Istio API", set.Named(route.APIIstio).Title())
	assert.Equal(t, "istio", set.Default().Name())
	assert.Equal(t, []string{"istio", "gateway-api"}, []string{set.All()[0].Name(), set.All()[1].Name()})
	assert.Equal(t, "VirtualService or HTTPRoute", apis.RouteKinds(set.All()))

	st := set.Stores()
	var kinds []reflect.Type
	for k := range st {
		kinds = append(kinds, k)
	}
	assert.ElementsMatch(t, []reflect.Type{
		reflect.TypeFor[*networkingv1.Gateway](), reflect.TypeFor[*networkingv1.VirtualService](),
		reflect.TypeFor[*gwv1.Gateway](), reflect.TypeFor[*gwv1.HTTPRoute](),
		reflect.TypeFor[*corev1.Secret](), // --tls self-signed
	}, kinds)
}

// counted is a read whose answer is something when it has items (as
// list, url and proxy count theirs).
func counted[T any](read func(context.Context, apis.API) ([]T, error)) func(context.Context, apis.API) ([]T, bool, error) {
	return func(ctx context.Context, api apis.API) ([]T, bool, error) {
		items, err := read(ctx, api)
		return items, len(items) > 0, err
	}
}
