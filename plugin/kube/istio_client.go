package kube

import (
	"net/http"

	istionet "istio.io/client-go/pkg/apis/networking/v1"
	"k8s.io/client-go/rest"
)

// Istio is the part of Istio's clientset the tool uses.
type Istio interface {
	NetworkingV1() IstioNetworkingV1
}

// IstioNetworkingV1 is the part of Istio's NetworkingV1Interface the tool uses.
type IstioNetworkingV1 interface {
	Gateways(namespace string) Client[*istionet.Gateway, *istionet.GatewayList]
	VirtualServices(namespace string) Client[*istionet.VirtualService, *istionet.VirtualServiceList]
}

// newIstio is the Istio client of NewForConfig: networking.istio.io/v1
// over cfg and hc.
func newIstio(cfg *rest.Config, hc *http.Client) (Istio, error) {
	c, err := restClient(cfg, hc, istionet.SchemeGroupVersion, "/apis")
	if err != nil {
		return nil, err
	}
	return istioClient{c}, nil
}

type istioClient struct{ rest rest.Interface }

func (i istioClient) NetworkingV1() IstioNetworkingV1 { return i }

// RESTClient is the group's REST client, for the Istio adapter's raw
// lists.
func (i istioClient) RESTClient() rest.Interface { return i.rest }

func (i istioClient) Gateways(ns string) Client[*istionet.Gateway, *istionet.GatewayList] {
	return newClient[istionet.Gateway, istionet.GatewayList](i.rest, "gateways", ns, false)
}

func (i istioClient) VirtualServices(ns string) Client[*istionet.VirtualService, *istionet.VirtualServiceList] {
	return newClient[istionet.VirtualService, istionet.VirtualServiceList](i.rest, "virtualservices", ns, false)
}
