package kubelib

import (
	istionet "istio.io/client-go/pkg/apis/networking/v1"
	istioclient "istio.io/client-go/pkg/clientset/versioned"
	istiotyped "istio.io/client-go/pkg/clientset/versioned/typed/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// Istio is i as a kube.Istio.
func Istio(i istioclient.Interface) kube.Istio { return istioAdapter{i} }

type istioAdapter struct{ i istioclient.Interface }

func (a istioAdapter) NetworkingV1() kube.IstioNetworkingV1 {
	return istioNetAdapter{a.i.NetworkingV1()}
}

type istioNetAdapter struct {
	n istiotyped.NetworkingV1Interface
}

func (a istioNetAdapter) Gateways(ns string) kube.Client[*istionet.Gateway, *istionet.GatewayList] {
	return a.n.Gateways(ns)
}

func (a istioNetAdapter) VirtualServices(ns string) kube.Client[*istionet.VirtualService, *istionet.VirtualServiceList] {
	return a.n.VirtualServices(ns)
}
