package plugin

import (
	"fmt"

	istioclient "istio.io/client-go/pkg/clientset/versioned"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/typed/apis/v1"
)

// Clients are the API clients a command needs, built from the standard
// kubectl flags.
type Clients struct {
	Config *rest.Config
	Kube   kubernetes.Interface
	Istio  istioclient.Interface
	// Gateway is the Gateway API's v1 client (only the group the tool
	// uses, not the generated clientset of every version).
	Gateway gwclient.GatewayV1Interface
	// Namespace is -n, else the kubeconfig context's, else "default".
	Namespace string
	// ExplicitNamespace is true when -n was given.
	ExplicitNamespace bool
}

// NewClients builds clients from flags.
func NewClients(flags *genericclioptions.ConfigFlags) (*Clients, error) {
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("reading kubeconfig: %w", err)
	}
	ns, explicit, err := flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, fmt.Errorf("reading the namespace from kubeconfig: %w", err)
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ist, err := istioclient.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	gw, err := gwclient.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Clients{Config: cfg, Kube: kube, Istio: ist, Gateway: gw, Namespace: ns, ExplicitNamespace: explicit}, nil
}

// connect builds *c from the kubeconfig flags unless it is already set
// (tests set it), and fills *ns with the kubeconfig's namespace when empty.
// Commands call it after Validate, so a bad flag is reported even when the
// kubeconfig cannot be read.
func connect(c **Clients, flags *genericclioptions.ConfigFlags, ns *string) error {
	if *c == nil {
		cl, err := NewClients(flags)
		if err != nil {
			return err
		}
		*c = cl
	}
	if ns != nil && *ns == "" {
		*ns = (*c).Namespace
	}
	return nil
}
