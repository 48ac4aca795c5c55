package urltest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestURLResolution checks each resolution rule of the issue with the real
// kubectl and plugin against a real apiserver. Every case has its own
// gateway selector (istio=gw-X) and namespace, so they share one cluster.
func TestURLResolution(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	lb := func(ing ...corev1.LoadBalancerIngress) func(*corev1.Service) {
		return func(s *corev1.Service) { s.Status.LoadBalancer.Ingress = ing }
	}

	// Rule 7 and the last fall-back, before anything else exists.
	r := env.Kubectl("expose-gw", "url")
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, "error: no ingress gateway found: no pod matches istio=ingressgateway and no pod in any namespace has an istio label other than egressgateway or pilot; name the gateway's pod labels with --gateway-selector; nor is there a Gateway of class istio for the Gateway API (create one with `kubectl expose-gw SERVICE`)\n", r.Stderr,
		"neither API has a gateway: one error naming both")
	service(t, env, "istio-system", "istio-ingressgateway", corev1.ServiceTypeLoadBalancer, testenv.GatewayLabels, gatewayPorts(30080, 30443),
		lb(corev1.LoadBalancerIngress{IP: "192.0.2.10"}))
	r = env.Kubectl("expose-gw", "url")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, "http://192.0.2.10\nhttps://192.0.2.10\n", r.Stdout)
	assert.Contains(t, r.Stderr, "gateway Service istio-system/istio-ingressgateway: no pod matches the gateway selector istio=ingressgateway in any namespace; using the documented default istio-system/istio-ingressgateway")

	// a: a gateway in another namespace, under another name.
	node(t, env, "a-1", true, internalIP("10.1.0.1"))
	pod(t, env, "edge-a", "gw-a-0", "a-1", sel("gw-a"), true)
	service(t, env, "edge-a", "public", corev1.ServiceTypeNodePort, sel("gw-a"), gatewayPorts(30001, 30002))

	// b: two Services select the pods; the NodePort one wins.
	node(t, env, "b-1", true, internalIP("10.2.0.1"))
	pod(t, env, "edge-b", "gw-b-0", "b-1", sel("gw-b"), true)
	service(t, env, "edge-b", "internal", corev1.ServiceTypeClusterIP, sel("gw-b"), gatewayPorts(0, 0))
	service(t, env, "edge-b", "public-b", corev1.ServiceTypeNodePort, sel("gw-b"), gatewayPorts(30011, 30012))

	// c: LoadBalancer with an ip and a hostname; cc: hostname only.
	pod(t, env, "edge-c", "gw-c-0", "b-1", sel("gw-c"), true)
	service(t, env, "edge-c", "lb", corev1.ServiceTypeLoadBalancer, sel("gw-c"), gatewayPorts(30021, 30022),
		lb(corev1.LoadBalancerIngress{IP: "9.42.18.65"}, corev1.LoadBalancerIngress{Hostname: "a1.elb.amazonaws.com"}))
	pod(t, env, "edge-cc", "gw-cc-0", "b-1", sel("gw-cc"), true)
	service(t, env, "edge-cc", "lb", corev1.ServiceTypeLoadBalancer, sel("gw-cc"), gatewayPorts(30023, 30024),
		lb(corev1.LoadBalancerIngress{Hostname: "a2.elb.amazonaws.com"}))

	// d: nodes of Ready gateway pods only, never a NotReady one, ExternalIP first, the nodePort.
	node(t, env, "d-1", false, externalIP("203.0.113.1"))
	node(t, env, "d-2", true, internalIP("10.4.0.2"), externalIP("203.0.113.2"))
	node(t, env, "d-3", true, externalIP("203.0.113.3"))
	pod(t, env, "edge-d", "gw-d-0", "d-1", sel("gw-d"), true)
	pod(t, env, "edge-d", "gw-d-1", "d-2", sel("gw-d"), true)
	service(t, env, "edge-d", "np", corev1.ServiceTypeNodePort, sel("gw-d"), gatewayPorts(30031, 30032))

	// e: a LoadBalancer still pending uses the nodePort.
	node(t, env, "e-1", true, internalIP("10.5.0.1"))
	pod(t, env, "edge-e", "gw-e-0", "e-1", sel("gw-e"), true)
	service(t, env, "edge-e", "pending", corev1.ServiceTypeLoadBalancer, sel("gw-e"), gatewayPorts(30041, 30042))

	// f: externalTrafficPolicy Local and no Ready gateway pod: only a port-forward.
	pod(t, env, "edge-f", "gw-f-0", "e-1", sel("gw-f"), false)
	service(t, env, "edge-f", "local", corev1.ServiceTypeNodePort, sel("gw-f"), gatewayPorts(30051, 30052), func(s *corev1.Service) {
		s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
	})

	// g: spec.externalIPs count as addresses.
	pod(t, env, "edge-g", "gw-g-0", "e-1", sel("gw-g"), true)
	service(t, env, "edge-g", "ext", corev1.ServiceTypeClusterIP, sel("gw-g"), gatewayPorts(0, 0), func(s *corev1.Service) {
		s.Spec.ExternalIPs = []string{"198.51.100.7"}
	})

	// h: no http port.
	pod(t, env, "edge-h", "gw-h-0", "e-1", sel("gw-h"), true)
	service(t, env, "edge-h", "tls-only", corev1.ServiceTypeNodePort, sel("gw-h"), gatewayPorts(30061, 30062)[2:])

	// i: a tcp port, and an http port named "http".
	pod(t, env, "edge-i", "gw-i-0", "e-1", sel("gw-i"), true)
	ports := gatewayPorts(30071, 30072)
	ports[1].Name = "http"
	ports = append(ports, corev1.ServicePort{Name: "tcp", Port: 31400, TargetPort: intstr.FromInt32(31400), NodePort: 30073, Protocol: corev1.ProtocolTCP})
	service(t, env, "edge-i", "tcp", corev1.ServiceTypeNodePort, sel("gw-i"), ports)

	tests := []struct {
		name       string
		args       []string
		wantOut    string
		wantEnv    map[string]string
		wantErr    string // whole stderr of a failing run
		wantStderr string // substring of stderr of a passing run
	}{
		{name: "rule 1: gateway found from the selector in another namespace",
			args: []string{selFlag("gw-a")}, wantOut: "http://10.1.0.1:30001\nhttps://10.1.0.1:30002\n"},
		{name: "rule 1: several candidates, says which and why",
			args: []string{selFlag("gw-b")}, wantOut: "http://10.2.0.1:30011\nhttps://10.2.0.1:30012\n",
			wantStderr: "gateway Service edge-b/public-b: 2 Services select the gateway pods (edge-b/public-b, edge-b/internal); chose edge-b/public-b: type NodePort is reachable from outside the cluster\n"},
		{name: "rule 1: --ingress-service and --ingress-namespace override",
			args: []string{"--ingress-service=lb", "--ingress-namespace=edge-cc"}, wantOut: "http://a2.elb.amazonaws.com\nhttps://a2.elb.amazonaws.com\n"},
		{name: "rule 3: every LoadBalancer ip and hostname, :80 and :443 left out",
			args: []string{selFlag("gw-c")}, wantOut: "http://9.42.18.65\nhttp://a1.elb.amazonaws.com\nhttps://9.42.18.65\nhttps://a1.elb.amazonaws.com\n"},
		{name: "rule 3: env with an ip",
			args: []string{selFlag("gw-c"), "-o", "env"},
			wantEnv: map[string]string{"INGRESS_NAME": "lb", "INGRESS_NS": "edge-c", "INGRESS_HOST": "9.42.18.65", "INGRESS_PORT": "80",
				"SECURE_INGRESS_PORT": "443", "GATEWAY_URL": "9.42.18.65:80"}},
		{name: "rule 3: env with a hostname only",
			args: []string{selFlag("gw-cc"), "-o", "env"},
			wantEnv: map[string]string{"INGRESS_NAME": "lb", "INGRESS_NS": "edge-cc", "INGRESS_HOST": "a2.elb.amazonaws.com", "INGRESS_PORT": "80",
				"SECURE_INGRESS_PORT": "443", "GATEWAY_URL": "a2.elb.amazonaws.com:80"}},
		{name: "rule 4: node of a Ready gateway pod, Ready, ExternalIP first, nodePort",
			args: []string{selFlag("gw-d")}, wantOut: "http://203.0.113.2:30031\nhttps://203.0.113.2:30032\n"},
		{name: "rule 4: a pending LoadBalancer uses the nodePort",
			args: []string{selFlag("gw-e"), "-o", "env"},
			wantEnv: map[string]string{"INGRESS_NAME": "pending", "INGRESS_NS": "edge-e", "INGRESS_HOST": "10.5.0.1", "INGRESS_PORT": "30041",
				"SECURE_INGRESS_PORT": "30042", "GATEWAY_URL": "10.5.0.1:30041"}},
		{name: "rule 4: externalTrafficPolicy Local without a Ready gateway pod",
			args:    []string{selFlag("gw-f")},
			wantErr: "error: the ingress gateway cannot be reached from outside the cluster: gateway Service edge-f/local has externalTrafficPolicy Local and no Ready gateway pod; use `kubectl expose-gw proxy` to reach it through a port-forward\n"},
		{name: "rule 5: spec.externalIPs",
			args: []string{selFlag("gw-g")}, wantOut: "http://198.51.100.7\nhttps://198.51.100.7\n"},
		{name: "rule 6: ClusterIP only",
			args:    []string{"--ingress-service=internal", "--ingress-namespace=edge-b"},
			wantErr: "error: the ingress gateway cannot be reached from outside the cluster: gateway Service edge-b/internal is of type ClusterIP, without external IPs; use `kubectl expose-gw proxy` to reach it through a port-forward\n"},
		{name: "rule 7: no http port",
			args:    []string{selFlag("gw-h")},
			wantErr: "error: gateway Service edge-h/tls-only has no http port (expected a port named http2 or http)\n"},
		{name: "rule 7: --https works without an http port",
			args: []string{selFlag("gw-h"), "--https"}, wantOut: "https://10.5.0.1:30062\n"},
		{name: "rule 7: the selector matches no pods",
			args:    []string{selFlag("nothing")},
			wantErr: "error: no pod matches the gateway selector istio=nothing in any namespace: check --gateway-selector, or name the Service with --ingress-service\n"},
		{name: "rule 7: the named Service does not exist",
			args:    []string{"--ingress-service=nope"},
			wantErr: "error: no gateway Service istio-system/nope: check --ingress-service and --ingress-namespace\n"},
		{name: "rule 2: http then http2 by name, tcp",
			args: []string{selFlag("gw-i"), "-o", "env"},
			wantEnv: map[string]string{"INGRESS_NAME": "tcp", "INGRESS_NS": "edge-i", "INGRESS_HOST": "10.5.0.1", "INGRESS_PORT": "30071",
				"SECURE_INGRESS_PORT": "30072", "TCP_INGRESS_PORT": "30073", "GATEWAY_URL": "10.5.0.1:30071"}},
		{name: "bad -o", args: []string{"-o", "yaml"}, wantErr: "error: invalid --output \"yaml\": expected url, env or json\n"},
		{name: "bad selector", args: []string{"--gateway-selector", "istio"}, wantErr: "error: invalid --gateway-selector \"istio\": expected KEY=VALUE[,KEY=VALUE...] with label keys and values\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.Kubectl(append([]string{"expose-gw", "url"}, tt.args...)...)
			if tt.wantErr != "" {
				assert.Equal(t, 1, r.ExitCode)
				assert.Equal(t, tt.wantErr, r.Stderr)
				assert.Empty(t, r.Stdout)
				return
			}
			require.Equal(t, 0, r.ExitCode, r.Stderr)
			if tt.wantEnv != nil {
				assert.Equal(t, tt.wantEnv, parseEnv(t, r.Stdout))
			} else {
				assert.Equal(t, tt.wantOut, r.Stdout)
			}
			if tt.wantStderr != "" {
				assert.Contains(t, r.Stderr, tt.wantStderr)
			}
		})
	}

	t.Run("-o json", func(t *testing.T) {
		r := env.Kubectl("expose-gw", "url", selFlag("gw-d"), "-o", "json")
		require.Equal(t, 0, r.ExitCode, r.Stderr)
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &got))
		assert.Equal(t, map[string]any{"name": "np", "namespace": "edge-d", "type": "NodePort"}, got["ingress"])
		assert.Equal(t, "203.0.113.2", got["host"])
		assert.Equal(t, float64(30031), got["port"])
		assert.Equal(t, float64(30032), got["securePort"])
		assert.Equal(t, "203.0.113.2:30031", got["gatewayURL"])
		assert.Equal(t, []any{"http://203.0.113.2:30031", "https://203.0.113.2:30032"}, got["urls"])
		assert.Equal(t, map[string]any{"role": "http", "url": "http://203.0.113.2:30031", "host": "203.0.113.2", "port": float64(30031),
			"source": "NodePort", "node": "d-2"}, got["endpoints"].([]any)[0])
	})

	t.Run("rule 7: forbidden to read Services, then Nodes", func(t *testing.T) {
		pods := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}}
		svcs := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"services"}, Verbs: []string{"get", "list"}}
		kc := env.AddUser("pods-only", nil)
		env.Grant("pods-only", "", []rbacv1.PolicyRule{pods})
		r := env.KubectlAs(kc, "expose-gw", "url", selFlag("gw-a"))
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, "error: listing Services in namespace edge-a to find the gateway Service: services is forbidden: User \"pods-only\" cannot list resource \"services\" in API group \"\" in the namespace \"edge-a\"\n", r.Stderr)

		kc = env.AddUser("no-nodes", nil)
		env.Grant("no-nodes", "", []rbacv1.PolicyRule{pods, svcs})
		r = env.KubectlAs(kc, "expose-gw", "url", selFlag("gw-a"))
		assert.Equal(t, 1, r.ExitCode)
		assert.Equal(t, "error: getting node a-1 of the gateway pods for the nodePort address: nodes \"a-1\" is forbidden: User \"no-nodes\" cannot get resource \"nodes\" in API group \"\" at the cluster scope\n", r.Stderr)
		// A LoadBalancer does not need nodes.
		r = env.KubectlAs(kc, "expose-gw", "url", selFlag("gw-c"))
		assert.Equal(t, 0, r.ExitCode, r.Stderr)
		assert.True(t, strings.HasPrefix(r.Stdout, "http://9.42.18.65\n"), r.Stdout)
	})
}
