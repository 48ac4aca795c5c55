package urltest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestURLIstioCRDsMissing: without the VirtualService CRD, `url SERVICE`
// says Istio is missing in one line; the gateway's own URL needs no CRD.
func TestURLIstioCRDsMissing(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	env.SeedWorld(testenv.WorldOptions{ServiceType: corev1.ServiceTypeLoadBalancer, NoGatewayPod: true,
		LoadBalancer: []corev1.LoadBalancerIngress{{IP: "9.42.18.65"}}})

	crds := dynamic.NewForConfigOrDie(env.Config).Resource(schema.GroupVersionResource{
		Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	require.NoError(t, crds.Delete(env.Ctx(), "virtualservices.networking.istio.io", metav1.DeleteOptions{}))
	testenv.Eventually(t, 30*time.Second, "the VirtualService API to go away", func() (bool, error) {
		_, err := env.Istio.NetworkingV1().VirtualServices("default").List(env.Ctx(), metav1.ListOptions{})
		return err != nil, nil
	})

	r := env.Kubectl("expose-gw", "url", "flaskapp")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, "error: cannot list virtualservices.networking.istio.io: the networking.istio.io API is not served by this cluster (is Istio installed?): listing VirtualServices in namespace default: the server could not find the requested resource (get virtualservices.networking.istio.io)\n", r.Stderr)

	r = env.Kubectl("expose-gw", "url")
	assert.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, "http://9.42.18.65\nhttps://9.42.18.65\n", r.Stdout)
}
