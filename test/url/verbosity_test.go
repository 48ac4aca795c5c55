package urltest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestVerbosity: -v=6 logs each API request on stderr as kubectl does,
// without changing the answer; a bad level is refused in one line.
func TestVerbosity(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	env.SeedWorld(testenv.WorldOptions{ServiceType: corev1.ServiceTypeLoadBalancer, NoGatewayPod: true,
		LoadBalancer: []corev1.LoadBalancerIngress{{IP: "9.42.18.65"}}})

	quiet := env.Kubectl("expose-gw", "url")
	assert.Equal(t, 0, quiet.ExitCode, quiet.Stderr)
	assert.NotContains(t, quiet.Stderr, "round_trippers")

	loud := env.Kubectl("expose-gw", "url", "-v=6")
	assert.Equal(t, 0, loud.ExitCode, loud.Stderr)
	assert.Equal(t, quiet.Stdout, loud.Stdout)
	assert.Regexp(t, `round_trippers.go:\d+\] "Response" verb="GET" url="https://127\.0\.0\.1:\d+/api/v1/pods\?labelSelector=istio%3Dingressgateway" status="200 OK" milliseconds=\d+`, loud.Stderr)

	bad := env.Kubectl("expose-gw", "url", "--v=loud")
	assert.Equal(t, 1, bad.ExitCode)
	assert.Equal(t, "error: invalid argument \"loud\" for \"-v, --v\" flag: strconv.ParseInt: parsing \"loud\": invalid syntax\n", bad.Stderr)
}
