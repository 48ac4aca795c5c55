package portforward

import (
	"fmt"
	"net/http"

	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	clientpf "k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// ConnectFunc opens a port-forward connection to a pod.
type ConnectFunc func(namespace, pod string) (httpstream.Connection, error)

// NewConnect dials pods' portforward subresource through the apiserver the
// way kubectl port-forward does: WebSocket first, SPDY when the apiserver
// (or a proxy on the way) does not upgrade to WebSocket.
func NewConnect(cfg *rest.Config, kube kubernetes.Interface) ConnectFunc {
	return func(namespace, pod string) (httpstream.Connection, error) {
		u := kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).
			Name(pod).SubResource("portforward").URL()
		tr, upgrader, err := spdy.RoundTripperFor(cfg)
		if err != nil {
			return nil, err
		}
		var dialer httpstream.Dialer = spdy.NewDialer(upgrader, &http.Client{Transport: tr}, http.MethodPost, u)
		ws, err := clientpf.NewSPDYOverWebsocketDialer(u, cfg)
		if err != nil {
			return nil, err
		}
		dialer = clientpf.NewFallbackDialer(ws, dialer, func(err error) bool {
			return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
		})
		conn, proto, err := dialer.Dial(clientpf.PortForwardProtocolV1Name)
		if err != nil {
			return nil, err
		}
		if proto != clientpf.PortForwardProtocolV1Name {
			_ = conn.Close()
			return nil, fmt.Errorf("the apiserver offered port-forward protocol %q, expected %q", proto, clientpf.PortForwardProtocolV1Name)
		}
		return conn, nil
	}
}
