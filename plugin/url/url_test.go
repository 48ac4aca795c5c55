package url

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

func TestURLOptionsValidate(t *testing.T) {
	tests := []struct {
		name        string
		o           URLOptions
		args        []string
		wantErr     string
		wantService string
	}{
		{name: "defaults", o: URLOptions{Output: "url"}},
		{name: "service and env", o: URLOptions{Output: "env"}, args: []string{"flaskapp"}},
		{name: "selector", o: URLOptions{Output: "json", GatewaySelector: "istio=mine,app=gw"}},
		{name: "bad output", o: URLOptions{Output: "yaml"}, wantErr: `invalid --output "yaml": expected url, env or json`},
		{name: "bad selector", o: URLOptions{Output: "url", GatewaySelector: "istio"}, wantErr: `invalid --gateway-selector "istio": expected KEY=VALUE[,KEY=VALUE...] with label keys and values`},
		{name: "svc/NAME", o: URLOptions{Output: "url"}, args: []string{"svc/flaskapp"}, wantService: "flaskapp"},
		{name: "bad SERVICE", o: URLOptions{Output: "url"}, args: []string{"deploy/flaskapp"}, wantErr: `invalid SERVICE "deploy/flaskapp": expected NAME or svc/NAME`},
		{name: "both ways to choose", o: URLOptions{Output: "url", GatewaySelector: "istio=a", IngressService: "gw"},
			wantErr: `--ingress-service "gw" and --gateway-selector "istio=a" both choose the gateway: give one`},
		{name: "gateway API", o: URLOptions{Output: "url", API: "gateway-api", Gateway: "infra/shared"}},
		{name: "bad api", o: URLOptions{Output: "url", API: "bogus"}, wantErr: `invalid --api "bogus": expected one of auto, istio, gateway-api`},
		{name: "bad gateway", o: URLOptions{Output: "url", Gateway: "a/b/c"}, wantErr: `invalid --gateway "a/b/c": expected [NAMESPACE/]NAME of a Gateway`},
		{name: "an Istio flag with the Gateway API", o: URLOptions{Output: "url", API: "gateway-api", GatewaySelector: "istio=a"},
			wantErr: `--gateway-selector "istio=a" is an Istio API flag: expected --gateway with --api gateway-api`},
		{name: "--gateway and an Istio flag", o: URLOptions{Output: "url", Gateway: "gw", IngressService: "svc"},
			wantErr: `--ingress-service "svc" and --gateway "gw" both choose the gateway: give one`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.o.API == "" {
				tt.o.API = apis.Auto
			}
			err := tt.o.Complete(nil, tt.args)
			if err == nil {
				err = tt.o.Validate()
			}
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				return
			}
			require.NoError(t, err)
			if tt.wantService != "" {
				assert.Equal(t, tt.wantService, tt.o.Service)
			} else if len(tt.args) > 0 {
				assert.Equal(t, tt.args[0], tt.o.Service)
			}
		})
	}
}

func TestRouteInfo(t *testing.T) {
	ep := resolve.Endpoint{Scheme: "http", Host: "9.42.18.65", Port: 31380}
	tests := []struct {
		name  string
		route route.Route
		ep    resolve.Endpoint
		want  route.RouteInfo
	}{
		{"any host", route.Route{Host: "*", Path: "/env", Scheme: "http"}, ep,
			route.RouteInfo{URL: "http://9.42.18.65:31380/env", Curl: "curl http://9.42.18.65:31380/env"}},
		{"a host", route.Route{Host: "flask.example.com", Path: "/env", Scheme: "http"}, ep,
			route.RouteInfo{URL: "http://9.42.18.65:31380/env", HostHeader: "flask.example.com", Curl: "curl -H 'Host: flask.example.com' http://9.42.18.65:31380/env"}},
		{"https with a host resolves the name for SNI", route.Route{Host: "flask.example.com", Path: "/", Scheme: "https"},
			resolve.Endpoint{Scheme: "https", Host: "9.42.18.65", Port: 443},
			route.RouteInfo{URL: "https://9.42.18.65/", HostHeader: "flask.example.com", Curl: "curl --resolve flask.example.com:443:9.42.18.65 https://flask.example.com/"}},
		{"the tool's certificate: curl trusts the tool's CA", route.Route{Host: "flask.example.com", Path: "/", Scheme: "https", Credential: "expose-gw-tls-flask.example.com"},
			resolve.Endpoint{Scheme: "https", Host: "9.42.18.65", Port: 443},
			route.RouteInfo{URL: "https://9.42.18.65/", HostHeader: "flask.example.com",
				Curl: `curl --cacert <(kubectl get secret -n istio-system expose-gw-ca -o jsonpath='{.data.tls\.crt}' | base64 -d) --resolve flask.example.com:443:9.42.18.65 https://flask.example.com/`}},
		{"a certificate of the user's: no --cacert", route.Route{Host: "flask.example.com", Path: "/", Scheme: "https", Credential: "flask-cert"},
			resolve.Endpoint{Scheme: "https", Host: "9.42.18.65", Port: 443},
			route.RouteInfo{URL: "https://9.42.18.65/", HostHeader: "flask.example.com", Curl: "curl --resolve flask.example.com:443:9.42.18.65 https://flask.example.com/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, route.RouteInfoOf(tt.route, tt.ep, "istio-system"))
		})
	}
}

func TestPrintEnvGatewayAPI(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, printEnv(&b, &route.URLReport{API: "gateway-api", Ingress: &route.IngressInfo{Name: "gw-istio", Namespace: "default"},
		Gateway: &route.GatewayInfo{Name: "gw", Namespace: "default"}, Host: "192.0.2.1", Port: 80, GatewayURL: "192.0.2.1:80"}))
	assert.Equal(t, "export INGRESS_HOST=192.0.2.1\nexport INGRESS_PORT=80\nexport GATEWAY_URL=192.0.2.1:80\n", b.String(),
		"the Istio docs' variables for the Gateway API: no INGRESS_NAME, INGRESS_NS")
}

func TestPrintEnv(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, printEnv(&b, &route.URLReport{Ingress: &route.IngressInfo{Name: "gw", Namespace: "istio-system"},
		Host: "a.elb.amazonaws.com", Port: 80, SecurePort: 443, GatewayURL: "a.elb.amazonaws.com:80"}))
	assert.Equal(t, `export INGRESS_NAME=gw
export INGRESS_NS=istio-system
export INGRESS_HOST=a.elb.amazonaws.com
export INGRESS_PORT=80
export SECURE_INGRESS_PORT=443
export GATEWAY_URL=a.elb.amazonaws.com:80
`, b.String())
	assert.Equal(t, `'it'\''s $HOME'`, resolve.ShellQuote("it's $HOME"))
}
