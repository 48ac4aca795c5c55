package proxy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestRoutesAsIstioSendsThem exposes the README's routes with the real
// plugin and sends requests through `kubectl expose-gw proxy`: which Service
// each reaches, and with what path, is decided by Istio's control plane in
// the test gateway. --prefix is a path prefix (/envoy is not /env's) and
// --rewrite replaces the matched prefix (/api/version arrives as /version).
func TestRoutesAsIstioSendsThem(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{Apps: []testenv.App{
		{Name: "flaskapp"}, {Name: "web"},
		{Name: "api", Ports: []corev1.ServicePort{{Name: "http", Port: 8080, TargetPort: intstr.FromInt32(9000)}}},
	}})
	for _, args := range [][]string{
		{"web", "--host", "flask.example.com", "--prefix", "/"},
		{"flaskapp", "--host", "flask.example.com", "--prefix", "/env"},
		{"api", "--host", "flask.example.com", "--prefix", "/api", "--rewrite", "/"},
	} {
		r := env.Kubectl(append([]string{"expose-gw"}, args...)...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
	}
	t.Logf("Envoy routes Istio generated:\n%s", env.IstioGateway.Routes())

	p := startProxy(t, env, "--host", "flask.example.com", "--via", "port-forward")
	defer p.Stop()
	for _, tt := range []struct {
		path, wantService, wantPath string
	}{
		{"/api/version", "api.default.svc.cluster.local:8080", "/version"},
		{"/api", "api.default.svc.cluster.local:8080", "/"},
		{"/api/", "api.default.svc.cluster.local:8080", "/"},
		{"/apiary", "web.default.svc.cluster.local:80", "/apiary"},
		{"/env/version", "flaskapp.default.svc.cluster.local:80", "/env/version"},
		{"/env", "flaskapp.default.svc.cluster.local:80", "/env"},
		{"/envoy", "web.default.svc.cluster.local:80", "/envoy"},
		{"/environment", "web.default.svc.cluster.local:80", "/environment"},
		{"/env.bak", "web.default.svc.cluster.local:80", "/env.bak"},
		{"/", "web.default.svc.cluster.local:80", "/"},
	} {
		status, body := p.Do("GET", tt.path, nil)
		if !assert.Equal(t, 200, status, "%s: %s", tt.path, body) {
			continue
		}
		var seen testenv.Request
		require.NoError(t, json.Unmarshal([]byte(body), &seen))
		assert.Equal(t, tt.wantService, seen.Service()+":"+seen.ServicePort(), "the Service Istio sent %s to", tt.path)
		assert.Equal(t, tt.wantPath, seen.Path, "the path %s arrived with", tt.path)
		assert.Equal(t, "flask.example.com", seen.Host)
	}

	r := env.Kubectl("expose-gw", "list", "-o", "json")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	var list struct {
		Items []struct{ Destination, Status string }
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &list))
	require.Len(t, list.Items, 3)
	for _, row := range list.Items {
		assert.Equal(t, "ok", row.Status, row.Destination)
	}
}
