// Package kube_test compares the plugin's lean clientset (plugin/kube) with
// the generated clientsets of client-go, Istio and the Gateway API, against
// a real kube-apiserver: the same requests on the wire (method, path, query,
// Accept and Content-Type) for the same calls, the same objects back, the
// same errors.
package kube_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingapi "istio.io/api/networking/v1"
	istionet "istio.io/client-go/pkg/apis/networking/v1"
	istioclient "istio.io/client-go/pkg/clientset/versioned"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// recorder records the requests of one client, with names made neutral.
type recorder struct {
	mu   sync.Mutex
	next http.RoundTripper
	reqs []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, fmt.Sprintf("%s %s?%s accept=%q content-type=%q", req.Method, req.URL.Path, req.URL.RawQuery,
		req.Header.Get("Accept"), req.Header.Get("Content-Type")))
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// take returns the requests since the last take, with name and the
// resourceVersion of a watch made neutral.
func (r *recorder) take(name string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.reqs))
	for i, s := range r.reqs {
		s = resourceVersion.ReplaceAllString(s, "resourceVersion=RV")
		out[i] = strings.ReplaceAll(s, name, "NAME")
	}
	r.reqs = nil
	return out
}

var resourceVersion = regexp.MustCompile(`resourceVersion=[0-9]+`)

func recorded(cfg *rest.Config) (*rest.Config, *recorder) {
	r := &recorder{}
	c := rest.CopyConfig(cfg)
	c.Wrap(func(rt http.RoundTripper) http.RoundTripper { r.next = rt; return r })
	return c, r
}

// clients are both clientsets, each behind its own recorder.
type clients struct {
	ours, lib       *kube.Clientset
	oursRec, libRec *recorder
}

func newClients(t *testing.T, cfg *rest.Config) clients {
	var c clients
	oursCfg, oursRec := recorded(cfg)
	libCfg, libRec := recorded(cfg)
	ours, err := kube.NewForConfig(oursCfg)
	require.NoError(t, err)
	c.ours, c.oursRec = ours, oursRec
	c.lib = &kube.Clientset{
		Kube:    kubelib.Kube(kubernetes.NewForConfigOrDie(libCfg)),
		Istio:   kubelib.Istio(istioclient.NewForConfigOrDie(libCfg)),
		Gateway: kubelib.Gateway(gwclient.NewForConfigOrDie(libCfg).GatewayV1()),
	}
	c.libRec = libRec
	return c
}

// kind is one resource of the clientset, for the generic comparison.
type kind[T interface {
	runtime.Object
	metav1.Object
}, L runtime.Object] struct {
	client func(cs *kube.Clientset) kube.Client[T, L]
	object func(name string) T
	change func(T)
	names  func(L) []string
}

// compare runs the same calls through both clientsets, each on an object
// of its own, and compares the requests on the wire, the watch events and
// the errors; each object is read by the other clientset too, which must
// decode it to the same Go value.
func compare[T interface {
	runtime.Object
	metav1.Object
}, L runtime.Object](t *testing.T, c clients, k kind[T, L]) {
	ctx := t.Context()
	run := func(cs, other *kube.Clientset, name string) (listed []string, events []watch.EventType) {
		cl, otherCl := k.client(cs), k.client(other)
		sameAsOther := func(what string, obj T) {
			t.Helper()
			o, err := otherCl.Get(ctx, name, metav1.GetOptions{})
			require.NoError(t, err)
			assert.Equal(t, o, obj, "%s %s: the other clientset reads the same object", what, name)
		}
		_, err := cl.Get(ctx, name, metav1.GetOptions{})
		require.True(t, apierrors.IsNotFound(err), "Get of a missing object: NotFound, got %v", err)
		created, err := cl.Create(ctx, k.object(name), metav1.CreateOptions{})
		require.NoError(t, err)
		sameAsOther("created", created)
		_, err = cl.Create(ctx, k.object(name), metav1.CreateOptions{})
		require.True(t, apierrors.IsAlreadyExists(err), "second Create: AlreadyExists, got %v", err)
		got, err := cl.Get(ctx, name, metav1.GetOptions{})
		require.NoError(t, err)
		w, err := cl.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name, ResourceVersion: got.GetResourceVersion()})
		require.NoError(t, err)
		defer w.Stop()
		k.change(got)
		updated, err := cl.Update(ctx, got, metav1.UpdateOptions{})
		require.NoError(t, err)
		assert.NotEqual(t, got.GetResourceVersion(), updated.GetResourceVersion())
		sameAsOther("updated", updated)
		_, err = cl.Update(ctx, got, metav1.UpdateOptions{}) // got's resourceVersion is old now
		require.True(t, apierrors.IsConflict(err), "stale Update: Conflict, got %v", err)
		l, err := cl.List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
		require.NoError(t, err)
		listed = k.names(l)
		require.NoError(t, cl.Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}))
		timeout := time.After(30 * time.Second)
		for len(events) < 2 {
			select {
			case e := <-w.ResultChan():
				events = append(events, e.Type)
			case <-timeout:
				t.Fatalf("watch of %s: events %v, then nothing for 30s", name, events)
			}
		}
		return listed, events
	}
	c.oursRec.take("")
	c.libRec.take("")
	oursListed, oursEvents := run(c.ours, c.lib, "ours")
	oursReqs := c.oursRec.take("ours")
	c.libRec.take("")
	libListed, libEvents := run(c.lib, c.ours, "lib")
	libReqs := c.libRec.take("lib")
	c.oursRec.take("")

	assert.Len(t, libReqs, 9)
	assert.Equal(t, libReqs, oursReqs, "the same requests on the wire")
	assert.Equal(t, []string{"ours"}, oursListed)
	assert.Equal(t, []string{"lib"}, libListed)
	assert.Equal(t, watch.Modified, oursEvents[0])
	assert.Equal(t, libEvents, oursEvents)
}

func names[T any](items []T, name func(*T) string) []string {
	var out []string
	for i := range items {
		out = append(out, name(&items[i]))
	}
	return out
}

func TestClientsetIsTheLibrarys(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	const ns = "default"
	c := newClients(t, env.Config)
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "x"}}
	}
	cluster := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name} }
	label := func(o metav1.Object) { o.SetLabels(map[string]string{"app": "changed"}) }

	t.Run("services", func(t *testing.T) {
		compare(t, c, kind[*corev1.Service, *corev1.ServiceList]{
			client: func(cs *kube.Clientset) kube.Client[*corev1.Service, *corev1.ServiceList] {
				return cs.Kube.CoreV1().Services(ns)
			},
			object: func(n string) *corev1.Service {
				return &corev1.Service{ObjectMeta: meta(n), Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}
			},
			change: func(s *corev1.Service) { label(s) },
			names: func(l *corev1.ServiceList) []string {
				return names(l.Items, func(s *corev1.Service) string { return s.Name })
			},
		})
	})
	t.Run("pods", func(t *testing.T) {
		compare(t, c, kind[*corev1.Pod, *corev1.PodList]{
			client: func(cs *kube.Clientset) kube.Client[*corev1.Pod, *corev1.PodList] { return cs.Kube.CoreV1().Pods(ns) },
			object: func(n string) *corev1.Pod {
				return &corev1.Pod{ObjectMeta: meta(n), Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}
			},
			change: func(p *corev1.Pod) { label(p) },
			names:  func(l *corev1.PodList) []string { return names(l.Items, func(p *corev1.Pod) string { return p.Name }) },
		})
	})
	t.Run("secrets", func(t *testing.T) {
		compare(t, c, kind[*corev1.Secret, *corev1.SecretList]{
			client: func(cs *kube.Clientset) kube.Client[*corev1.Secret, *corev1.SecretList] {
				return cs.Kube.CoreV1().Secrets(ns)
			},
			object: func(n string) *corev1.Secret {
				return &corev1.Secret{ObjectMeta: meta(n), Data: map[string][]byte{"k": []byte("v")}}
			},
			change: func(s *corev1.Secret) { s.Data["k"] = []byte("changed") },
			names: func(l *corev1.SecretList) []string {
				return names(l.Items, func(s *corev1.Secret) string { return s.Name })
			},
		})
	})
	t.Run("nodes", func(t *testing.T) {
		compare(t, c, kind[*corev1.Node, *corev1.NodeList]{
			client: func(cs *kube.Clientset) kube.Client[*corev1.Node, *corev1.NodeList] { return cs.Kube.CoreV1().Nodes() },
			object: func(n string) *corev1.Node { return &corev1.Node{ObjectMeta: cluster(n)} },
			change: func(o *corev1.Node) { label(o) },
			names: func(l *corev1.NodeList) []string {
				return names(l.Items, func(o *corev1.Node) string { return o.Name })
			},
		})
	})
	t.Run("namespaces", func(t *testing.T) {
		compare(t, c, kind[*corev1.Namespace, *corev1.NamespaceList]{
			client: func(cs *kube.Clientset) kube.Client[*corev1.Namespace, *corev1.NamespaceList] {
				return cs.Kube.CoreV1().Namespaces()
			},
			object: func(n string) *corev1.Namespace { return &corev1.Namespace{ObjectMeta: cluster(n)} },
			change: func(o *corev1.Namespace) { label(o) },
			names: func(l *corev1.NamespaceList) []string {
				return names(l.Items, func(o *corev1.Namespace) string { return o.Name })
			},
		})
	})
	t.Run("istio gateways", func(t *testing.T) {
		compare(t, c, kind[*istionet.Gateway, *istionet.GatewayList]{
			client: func(cs *kube.Clientset) kube.Client[*istionet.Gateway, *istionet.GatewayList] {
				return cs.Istio.NetworkingV1().Gateways(ns)
			},
			object: func(n string) *istionet.Gateway {
				g := &istionet.Gateway{ObjectMeta: meta(n)}
				g.Spec.Selector = map[string]string{"istio": "ingressgateway"}
				g.Spec.Servers = []*networkingapi.Server{{Port: &networkingapi.Port{Number: 80, Name: "http", Protocol: "HTTP"}, Hosts: []string{"*"}}}
				return g
			},
			change: func(g *istionet.Gateway) { g.Spec.Servers[0].Hosts = []string{"changed.example.com"} },
			names: func(l *istionet.GatewayList) []string {
				var out []string
				for _, g := range l.Items {
					out = append(out, g.Name)
				}
				return out
			},
		})
	})
	t.Run("virtualservices", func(t *testing.T) {
		compare(t, c, kind[*istionet.VirtualService, *istionet.VirtualServiceList]{
			client: func(cs *kube.Clientset) kube.Client[*istionet.VirtualService, *istionet.VirtualServiceList] {
				return cs.Istio.NetworkingV1().VirtualServices(ns)
			},
			object: func(n string) *istionet.VirtualService {
				v := &istionet.VirtualService{ObjectMeta: meta(n)}
				v.Spec.Hosts = []string{"*"}
				v.Spec.Gateways = []string{"expose-gw"}
				v.Spec.Http = []*networkingapi.HTTPRoute{{Route: []*networkingapi.HTTPRouteDestination{{Destination: &networkingapi.Destination{Host: "flaskapp"}}}}}
				return v
			},
			change: func(v *istionet.VirtualService) { v.Spec.Hosts = []string{"changed.example.com"} },
			names: func(l *istionet.VirtualServiceList) []string {
				var out []string
				for _, v := range l.Items {
					out = append(out, v.Name)
				}
				return out
			},
		})
	})
	t.Run("gatewayclasses", func(t *testing.T) {
		compare(t, c, kind[*gwv1.GatewayClass, *gwv1.GatewayClassList]{
			client: func(cs *kube.Clientset) kube.Client[*gwv1.GatewayClass, *gwv1.GatewayClassList] {
				return cs.Gateway.GatewayClasses()
			},
			object: func(n string) *gwv1.GatewayClass {
				return &gwv1.GatewayClass{ObjectMeta: cluster(n), Spec: gwv1.GatewayClassSpec{ControllerName: gwv1.GatewayController("example.com/" + n)}}
			},
			change: func(g *gwv1.GatewayClass) { label(g) },
			names: func(l *gwv1.GatewayClassList) []string {
				return names(l.Items, func(g *gwv1.GatewayClass) string { return g.Name })
			},
		})
	})
	t.Run("gateways", func(t *testing.T) {
		compare(t, c, kind[*gwv1.Gateway, *gwv1.GatewayList]{
			client: func(cs *kube.Clientset) kube.Client[*gwv1.Gateway, *gwv1.GatewayList] { return cs.Gateway.Gateways(ns) },
			object: func(n string) *gwv1.Gateway {
				return &gwv1.Gateway{ObjectMeta: meta(n), Spec: gwv1.GatewaySpec{GatewayClassName: "istio",
					Listeners: []gwv1.Listener{{Name: "http", Port: 80, Protocol: gwv1.HTTPProtocolType}}}}
			},
			change: func(g *gwv1.Gateway) { g.Spec.Listeners[0].Port = 8080 },
			names: func(l *gwv1.GatewayList) []string {
				return names(l.Items, func(g *gwv1.Gateway) string { return g.Name })
			},
		})
	})
	t.Run("httproutes", func(t *testing.T) {
		compare(t, c, kind[*gwv1.HTTPRoute, *gwv1.HTTPRouteList]{
			client: func(cs *kube.Clientset) kube.Client[*gwv1.HTTPRoute, *gwv1.HTTPRouteList] {
				return cs.Gateway.HTTPRoutes(ns)
			},
			object: func(n string) *gwv1.HTTPRoute {
				return &gwv1.HTTPRoute{ObjectMeta: meta(n), Spec: gwv1.HTTPRouteSpec{Hostnames: []gwv1.Hostname{"flask.example.com"}}}
			},
			change: func(r *gwv1.HTTPRoute) { r.Spec.Hostnames = []gwv1.Hostname{"changed.example.com"} },
			names: func(l *gwv1.HTTPRouteList) []string {
				return names(l.Items, func(r *gwv1.HTTPRoute) string { return r.Name })
			},
		})
	})
	t.Run("port-forward URL", func(t *testing.T) {
		u := func(cs *kube.Clientset) string {
			return cs.Kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name("p").SubResource("portforward").URL().String()
		}
		assert.Equal(t, u(c.lib), u(c.ours))
	})
}
