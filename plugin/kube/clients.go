package kube

import (
	"fmt"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// Clients are the API clients a command needs, built from the standard
// kubectl flags.
type Clients struct {
	Config *rest.Config
	Kube   Kube
	Istio  Istio
	// Gateway is the Gateway API's v1 client.
	Gateway GatewayV1
	// Dynamic reads and writes the kinds of no Go module the plugin links
	// (cert-manager's Certificates).
	Dynamic dynamic.Interface
	// Namespace is -n, else the kubeconfig context's, else "default".
	Namespace string
	// ExplicitNamespace is true when -n was given.
	ExplicitNamespace bool
}

// commandQPS and commandBurst bound a command's requests (one limiter for
// every API group). client-go's default, 5 a second with a burst of 10 per
// group, held a delete back by seconds: each of its rounds reads both APIs
// and the five kinds attached to Gateways, and client-go logs a wait of a
// second on stderr. kubectl runs its discovery at 50 with a burst of 300;
// the apiserver's priority and fairness still applies.
const (
	commandQPS   = 50
	commandBurst = 100
)

// NewClients builds clients from flags.
func NewClients(flags *ConfigFlags) (*Clients, error) {
	if err := flags.Validate(); err != nil {
		return nil, err
	}
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("reading kubeconfig: %w", err)
	}
	if cfg.QPS == 0 && cfg.RateLimiter == nil {
		cfg.QPS, cfg.Burst = commandQPS, commandBurst
	}
	ns, explicit, err := flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, fmt.Errorf("reading the namespace from kubeconfig: %w", err)
	}
	cs, err := NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Clients{Config: cfg, Kube: cs.Kube, Istio: cs.Istio, Gateway: cs.Gateway, Dynamic: dyn, Namespace: ns, ExplicitNamespace: explicit}, nil
}

// Connect builds *c from the kubeconfig flags unless it is already set
// (tests set it), and fills *ns with the kubeconfig's namespace when empty.
// Commands call it after Validate, so a bad flag is reported even when the
// kubeconfig cannot be read.
func Connect(c **Clients, flags *ConfigFlags, ns *string) error {
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
