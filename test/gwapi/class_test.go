package gwapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestGatewayClass: Start creates the GatewayClass istiod creates at
// install, unless told not to; the Gateway API CRDs are there either way.
func TestGatewayClass(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		env := testenv.Start(t, testenv.Options{})
		gc, err := env.GatewayAPI.GatewayV1().GatewayClasses().Get(env.Ctx(), "istio", metav1.GetOptions{})
		require.NoError(t, err)
		assert.Equal(t, "istio.io/gateway-controller", string(gc.Spec.ControllerName))
		r := env.Kubectl("get", "crd", "httproutes.gateway.networking.k8s.io", "-o", `jsonpath={.metadata.annotations.gateway\.networking\.k8s\.io/bundle-version}`)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.Equal(t, "v1.6.3", r.Stdout)
	})
	t.Run("NoGatewayClass", func(t *testing.T) {
		env := testenv.Start(t, testenv.Options{NoGatewayClass: true})
		_, err := env.GatewayAPI.GatewayV1().GatewayClasses().Get(env.Ctx(), "istio", metav1.GetOptions{})
		assert.True(t, apierrors.IsNotFound(err), "%v", err)
		_, err = env.GatewayAPI.GatewayV1().HTTPRoutes("default").List(env.Ctx(), metav1.ListOptions{})
		assert.NoError(t, err, "the CRDs are installed")
	})
}
