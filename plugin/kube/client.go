package kube

import (
	"context"
	"fmt"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/gentype"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
)

// Client is what the tool calls on the typed client of one resource: the
// methods of client-go's generated typed clients.
type Client[T, L runtime.Object] interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (T, error)
	List(ctx context.Context, opts metav1.ListOptions) (L, error)
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
	Create(ctx context.Context, obj T, opts metav1.CreateOptions) (T, error)
	Update(ctx context.Context, obj T, opts metav1.UpdateOptions) (T, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
}

// Kube is the part of client-go's kubernetes.Interface the tool uses.
type Kube interface {
	CoreV1() CoreV1
}

// CoreV1 is the part of client-go's CoreV1Interface the tool uses.
type CoreV1 interface {
	RESTClient() rest.Interface
	Services(namespace string) Client[*corev1.Service, *corev1.ServiceList]
	Pods(namespace string) Client[*corev1.Pod, *corev1.PodList]
	Secrets(namespace string) Client[*corev1.Secret, *corev1.SecretList]
	Nodes() Client[*corev1.Node, *corev1.NodeList]
	Namespaces() Client[*corev1.Namespace, *corev1.NamespaceList]
}

// Clientset holds the clients of the three APIs, sharing one transport.
type Clientset struct {
	Kube    Kube
	Istio   Istio
	Gateway GatewayV1
}

// NewForConfig builds the clients as the generated clientsets'
// NewForConfig does: one HTTP client and one rate limiter for all groups,
// client-go's user agent unless cfg has one.
func NewForConfig(cfg *rest.Config) (*Clientset, error) {
	c := *cfg
	if c.UserAgent == "" {
		c.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	if c.RateLimiter == nil && c.QPS > 0 {
		if c.Burst <= 0 {
			return nil, fmt.Errorf("invalid burst %d for QPS %v: expected a burst greater than 0 when QPS is set", c.Burst, c.QPS)
		}
		c.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(c.QPS, c.Burst)
	}
	hc, err := rest.HTTPClientFor(&c)
	if err != nil {
		return nil, err
	}
	core, err := restClient(&c, hc, corev1.SchemeGroupVersion, "/api")
	if err != nil {
		return nil, err
	}
	istio, err := newIstio(&c, hc)
	if err != nil {
		return nil, err
	}
	gw, err := newGateway(&c, hc)
	if err != nil {
		return nil, err
	}
	return &Clientset{Kube: kubeClient{core}, Istio: istio, Gateway: gw}, nil
}

// restClient is the REST client of one group version, configured as the
// generated clients' setConfigDefaults does.
func restClient(cfg *rest.Config, hc *http.Client, gv schema.GroupVersion, apiPath string) (*rest.RESTClient, error) {
	c := *cfg
	c.GroupVersion = &gv
	c.APIPath = apiPath
	c.NegotiatedSerializer = rest.CodecFactoryForGeneratedClient(Scheme, Codecs).WithoutConversion()
	return rest.RESTClientForConfigAndClient(&c, hc)
}

// object is a pointer to E that is an API object.
type object[E any] interface {
	*E
	metav1.Object
	runtime.Object
}

// list is a pointer to E that is a list.
type list[E any] interface {
	*E
	runtime.Object
}

// newClient is client-go's generic typed client of a resource in
// namespace ("" for a cluster-scoped one), as the generated clients make
// it; protobuf for the built-in kinds, which the generated ones prefer.
func newClient[E, LE any, T object[E], L list[LE]](c rest.Interface, resource, namespace string, protobuf bool) Client[T, L] {
	var opts []gentype.Option[T]
	if protobuf {
		opts = append(opts, gentype.PrefersProtobuf[T]())
	}
	return gentype.NewClientWithList(resource, c, ParameterCodec, namespace,
		func() T { return T(new(E)) }, func() L { return L(new(LE)) }, opts...)
}

type kubeClient struct{ rest rest.Interface }

func (k kubeClient) CoreV1() CoreV1 { return k }

func (k kubeClient) RESTClient() rest.Interface { return k.rest }

func (k kubeClient) Services(ns string) Client[*corev1.Service, *corev1.ServiceList] {
	return newClient[corev1.Service, corev1.ServiceList](k.rest, "services", ns, true)
}

func (k kubeClient) Pods(ns string) Client[*corev1.Pod, *corev1.PodList] {
	return newClient[corev1.Pod, corev1.PodList](k.rest, "pods", ns, true)
}

func (k kubeClient) Secrets(ns string) Client[*corev1.Secret, *corev1.SecretList] {
	return newClient[corev1.Secret, corev1.SecretList](k.rest, "secrets", ns, true)
}

func (k kubeClient) Nodes() Client[*corev1.Node, *corev1.NodeList] {
	return newClient[corev1.Node, corev1.NodeList](k.rest, "nodes", "", true)
}

func (k kubeClient) Namespaces() Client[*corev1.Namespace, *corev1.NamespaceList] {
	return newClient[corev1.Namespace, corev1.NamespaceList](k.rest, "namespaces", "", true)
}
