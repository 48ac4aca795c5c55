package gwapi

import (
	"testing"

	"github.com/stretchr/testify/assert"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestAutoWithNeitherAPI: no Istio ingress gateway pods and no Gateway
// API at all: --api auto says what is missing of each and how to install
// the Gateway API; list and delete read the Istio API alone.
func TestAutoWithNeitherAPI(t *testing.T) {
	env := testenv.Start(t, testenv.Options{NoGatewayAPI: true})
	env.CreateApp(testenv.App{Name: "flaskapp"})

	r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/env")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, "error: no ingress gateway found: no pod matches istio=ingressgateway and no pod in any namespace has an istio label other than egressgateway or pilot; name the gateway's pod labels with --gateway-selector; nor does the cluster serve the Gateway API: install its CRDs (kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.3/standard-install.yaml) and then Istio, which creates GatewayClass istio\n", r.Stderr)

	r = env.Kubectl("expose-gw", "flaskapp", "--api", "gateway-api", "--wait=0")
	assert.Equal(t, 1, r.ExitCode)
	assert.Regexp(t, `^error: cannot list gateways.gateway.networking.k8s.io: the Gateway API \(gateway.networking.k8s.io\) is not served by this cluster \(are its CRDs installed\?\)`, r.Stderr)

	r = env.Kubectl("expose-gw", "list")
	assert.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, "No routes in namespace default.\n", r.Stderr)

	r = env.Kubectl("expose-gw", "delete", "flaskapp")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, "error: no route of service default/flaskapp to delete\n", r.Stderr)
}
