package urltest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// The look-ups of the Istio docs ("Determining the ingress IP and ports"),
// verbatim.
const (
	docsNames = `export INGRESS_NAME=istio-ingressgateway
export INGRESS_NS=istio-system
`
	docsLoadBalancerIP = `export INGRESS_HOST=$(kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
`
	docsLoadBalancerHostname = `export INGRESS_HOST=$(kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath='{.status.loadBalancer.ingress[0].hostname}')
`
	docsLoadBalancerPorts = `export INGRESS_PORT=$(kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath='{.spec.ports[?(@.name=="http2")].port}')
export SECURE_INGRESS_PORT=$(kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath='{.spec.ports[?(@.name=="https")].port}')
export TCP_INGRESS_PORT=$(kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath='{.spec.ports[?(@.name=="tcp")].port}')
`
	docsNodePort = `export INGRESS_PORT=$(kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath='{.spec.ports[?(@.name=="http2")].nodePort}')
export SECURE_INGRESS_PORT=$(kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath='{.spec.ports[?(@.name=="https")].nodePort}')
export TCP_INGRESS_PORT=$(kubectl -n "$INGRESS_NS" get service "$INGRESS_NAME" -o jsonpath='{.spec.ports[?(@.name=="tcp")].nodePort}')
export INGRESS_HOST=$(kubectl get po -l istio=ingressgateway -n "$INGRESS_NS" -o jsonpath='{.items[0].status.hostIP}')
`
	docsGatewayURL = `export GATEWAY_URL=$INGRESS_HOST:$INGRESS_PORT
`
)

var envNames = []string{"INGRESS_NAME", "INGRESS_NS", "INGRESS_HOST", "INGRESS_PORT", "SECURE_INGRESS_PORT", "TCP_INGRESS_PORT", "GATEWAY_URL"}

// runScript runs a shell script with the real kubectl and returns the
// variables of the Istio docs it exported (empty ones left out).
func runScript(t *testing.T, env *testenv.Env, script string) map[string]string {
	t.Helper()
	for _, n := range envNames {
		script += `[ -n "$` + n + `" ] && echo "export ` + n + `=$` + n + `"` + "\n"
	}
	r := env.RunCmd(env.Ctx(), env.Kubeconfig, nil, "bash", "-c", "set -e -o pipefail\n"+script+"true\n")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	return parseEnv(t, r.Stdout)
}

// explainScript is the shell part of url --explain's stderr.
func explainScript(t *testing.T, stderr string) string {
	t.Helper()
	i := strings.Index(stderr, "# The same answer with plain kubectl")
	require.GreaterOrEqual(t, i, 0, "no explanation in %q", stderr)
	return stderr[i:]
}

// TestURLEnvEqualsDocsLookups runs the Istio docs' jsonpath look-ups with the
// real kubectl and checks `url -o env` gives the same values, for NodePort,
// a LoadBalancer with an IP and one with a hostname; and that the commands
// printed by --explain give them too.
func TestURLEnvEqualsDocsLookups(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	world := env.SeedWorld(testenv.WorldOptions{})
	ctx := env.Ctx()
	// A tcp port too, as the Istio demo profile has.
	svc := world.GatewayService
	svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: "tcp", Port: 31400, TargetPort: intstr.FromInt32(31400), NodePort: 31400, Protocol: corev1.ProtocolTCP})
	svc, err := env.Kube.CoreV1().Services(svc.Namespace).Update(ctx, svc, metav1.UpdateOptions{})
	require.NoError(t, err)

	check := func(t *testing.T, docs string, want map[string]string) {
		r := env.Kubectl("expose-gw", "url", "-o", "env", "--explain")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		got := parseEnv(t, r.Stdout)
		assert.Equal(t, want, got, "url -o env")
		assert.Equal(t, got, runScript(t, env, docs), "the Istio docs' look-ups")
		assert.Equal(t, got, runScript(t, env, explainScript(t, r.Stderr)), "the look-ups printed by --explain")
	}

	t.Run("NodePort", func(t *testing.T) {
		check(t, docsNames+docsNodePort+docsGatewayURL, map[string]string{
			"INGRESS_NAME": "istio-ingressgateway", "INGRESS_NS": "istio-system", "INGRESS_HOST": "127.0.0.1",
			"INGRESS_PORT": "31380", "SECURE_INGRESS_PORT": "31390", "TCP_INGRESS_PORT": "31400", "GATEWAY_URL": "127.0.0.1:31380"})
	})

	svc.Spec.Type = corev1.ServiceTypeLoadBalancer
	svc, err = env.Kube.CoreV1().Services(svc.Namespace).Update(ctx, svc, metav1.UpdateOptions{})
	require.NoError(t, err)
	setLB := func(ing corev1.LoadBalancerIngress) {
		svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{ing}
		svc, err = env.Kube.CoreV1().Services(svc.Namespace).UpdateStatus(ctx, svc, metav1.UpdateOptions{})
		require.NoError(t, err)
	}

	t.Run("LoadBalancer IP", func(t *testing.T) {
		setLB(corev1.LoadBalancerIngress{IP: "9.42.18.65"})
		check(t, docsNames+docsLoadBalancerIP+docsLoadBalancerPorts+docsGatewayURL, map[string]string{
			"INGRESS_NAME": "istio-ingressgateway", "INGRESS_NS": "istio-system", "INGRESS_HOST": "9.42.18.65",
			"INGRESS_PORT": "80", "SECURE_INGRESS_PORT": "443", "TCP_INGRESS_PORT": "31400", "GATEWAY_URL": "9.42.18.65:80"})
	})

	t.Run("LoadBalancer hostname", func(t *testing.T) {
		setLB(corev1.LoadBalancerIngress{Hostname: "a1b2c3.us-east-1.elb.amazonaws.com"})
		check(t, docsNames+docsLoadBalancerHostname+docsLoadBalancerPorts+docsGatewayURL, map[string]string{
			"INGRESS_NAME": "istio-ingressgateway", "INGRESS_NS": "istio-system", "INGRESS_HOST": "a1b2c3.us-east-1.elb.amazonaws.com",
			"INGRESS_PORT": "80", "SECURE_INGRESS_PORT": "443", "TCP_INGRESS_PORT": "31400", "GATEWAY_URL": "a1b2c3.us-east-1.elb.amazonaws.com:80"})
	})
}
