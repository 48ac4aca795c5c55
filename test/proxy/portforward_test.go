package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/websocket"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestPortForward runs the proxy against a gateway only reachable through
// a port-forward (NodePort 31380 on 127.0.0.1, where nothing listens): kwok
// sends the port-forwards to the Istio-driven gateway. The subtests share
// the environment and run in order.
func TestPortForward(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{Apps: []testenv.App{{Name: "flaskapp"}, {Name: "multi"}, {Name: "anyhost"}, {Name: "bare"}, {Name: "secure"}}})
	exposeRoute(t, env, "flaskapp", []string{"flask.example.com"}, "/env")
	exposeRoute(t, env, "multi", []string{"a.example.com", "b.example.com"}, "/m")
	exposeRoute(t, env, "anyhost", []string{"*"}, "/")

	t.Run("auto falls back to a port-forward and keeps connections alive", func(t *testing.T) {
		p := startProxy(t, env, "flaskapp")
		assert.Equal(t, []string{
			"Forwarding " + p.URL + " -> port-forward to pod istio-system/istio-ingressgateway-0 port 8080 (Host: flask.example.com)",
			p.URL + "/env",
		}, p.Stdout)
		assert.Regexp(t, `127\.0\.0\.1:31380 \(NodePort\) does not answer: .*connection refused: using a port-forward`, p.stderr.String())

		remotes := map[string]bool{}
		var mu sync.Mutex
		env.Upstream.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			remotes[r.Header.Get("X-Istiogw-Downstream")] = true // the connection the gateway got
			mu.Unlock()
			fmt.Fprintf(w, "host=%s uri=%s xff=%s xfh=%s xfp=%s", r.Host, r.RequestURI,
				r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Forwarded-Host"), r.Header.Get("X-Forwarded-Proto"))
		}))
		defer env.Upstream.SetHandler(nil)
		for i := 0; i < 20; i++ {
			status, body := p.Do("GET", fmt.Sprintf("/env/version?i=%d&q=a%%20b", i), nil)
			require.Equal(t, 200, status, body)
			// Envoy (use_remote_address, as Istio configures gateways) appends
			// the address of its peer, the port-forward, to the proxy's XFF.
			assert.Equal(t, fmt.Sprintf("host=flask.example.com uri=/env/version?i=%d&q=a%%20b xff=127.0.0.1,127.0.0.1 xfh=%s xfp=http",
				i, strings.TrimPrefix(p.URL, "http://")), body)
		}
		// One kept-alive connection (one stream of the tunnel) served all 20.
		assert.Len(t, remotes, 1, "requests in sequence must reuse one connection to the gateway")
		p.Stop()
	})

	t.Run("Host rules", func(t *testing.T) {
		tests := []struct {
			name     string
			args     []string
			wantHost string // Host the gateway must see; "" when the command fails
			wantErr  string
		}{
			{"one route host", []string{"flaskapp"}, "flask.example.com", ""}, // sent to /env/x, its route
			{"several hosts need --host", []string{"multi"}, "",
				`error: service "multi" has routes for several hosts (a.example.com, b.example.com): pick one with --host`},
			{"--host picks one", []string{"multi", "--host", "b.example.com"}, "b.example.com", ""},
			{"--host must be a route host", []string{"multi", "--host", "c.example.com"}, "",
				`error: --host "c.example.com" matches no route host of service "multi": expected one of a.example.com, b.example.com`},
			{"--host alone", []string{"--host", "other.example.com"}, "other.example.com", ""},
			{"a * route keeps the client's Host", []string{"anyhost"}, "client.example.net", ""},
			{"no route", []string{"bare"}, "",
				"error: no VirtualService or HTTPRoute bound to a gateway routes to service \"bare\": expose it first with `kubectl expose-gw bare`, or give --host without SERVICE"},
			{"no such service", []string{"nope"}, "", `error: service "nope" not found in namespace "default": expected an existing Service (see kubectl get services -n default)`},
			{"no such namespace", []string{"nope", "-n", "nons"}, "", `error: namespace "nons" not found: expected an existing namespace (see kubectl get namespaces), given by -n or the kubeconfig's context`},
			{"a port in --host", []string{"--host", "flask.example.com:31380"}, "",
				`error: invalid --host "flask.example.com:31380": expected a host name without a port, scheme or wildcard, e.g. flask.example.com`},
			{"a control character in --host", []string{"--host", "flask.example.com\n"}, "",
				`error: invalid --host "flask.example.com\n": expected an HTTP host: a DNS name, an IPv4 address or an [IPv6] address, e.g. flask.example.com`},
			{"a character no Host has", []string{"flaskapp", "--host", "a b"}, "",
				`error: invalid --host "a b": expected an HTTP host: a DNS name, an IPv4 address or an [IPv6] address, e.g. flask.example.com`},
			{"bad --via", []string{"flaskapp", "--via", "ssh"}, "", `error: invalid --via "ssh": expected auto, direct or port-forward`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.wantErr != "" {
					// Bounded: a proxy that wrongly starts never exits.
					ctx, cancel := context.WithTimeout(env.Ctx(), 30*time.Second)
					defer cancel()
					r := env.RunCmd(ctx, env.Kubeconfig, nil, testenv.KubectlPath(), append([]string{"expose-gw", "proxy", "--via", "port-forward"}, tt.args...)...)
					assert.Equal(t, 1, r.ExitCode)
					assert.Equal(t, tt.wantErr+"\n", r.Stderr)
					assert.Empty(t, r.Stdout)
					return
				}
				p := startProxy(t, env, append(tt.args, "--via", "port-forward")...)
				// A path the route of the Host takes (flask.example.com routes
				// only /env; the others reach multi's /m or anyhost's /).
				path := "/m/x"
				if tt.wantHost == "flask.example.com" {
					path = "/env/x"
				}
				req, _ := http.NewRequest("GET", p.URL+path, nil)
				req.Host = "client.example.net"
				if tt.wantHost != "client.example.net" {
					req.Host = "" // the proxy's own address
				}
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				var seen testenv.Request
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&seen))
				resp.Body.Close()
				assert.Equal(t, tt.wantHost, seen.Host)
				assert.Equal(t, path, seen.Path)
				p.Stop()
			})
		}
	})

	t.Run("WebSocket, streamed responses, refusals", func(t *testing.T) {
		p := startProxy(t, env, "flaskapp", "--via", "port-forward")
		next := make(chan struct{})
		mux := http.NewServeMux()
		mux.Handle("/env/ws", websocket.Handler(func(c *websocket.Conn) {
			var msg string
			for websocket.Message.Receive(c, &msg) == nil {
				_ = websocket.Message.Send(c, "echo "+msg+" via "+c.Request().Host)
			}
		}))
		mux.HandleFunc("/env/events", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			for i := 0; i < 3; i++ {
				fmt.Fprintf(w, "data: %d\n\n", i)
				w.(http.Flusher).Flush()
				<-next // the next event only once the client has read this one
			}
		})
		env.Upstream.SetHandler(mux)
		defer env.Upstream.SetHandler(nil)

		ws, err := websocket.Dial(strings.Replace(p.URL, "http", "ws", 1)+"/env/ws", "", "http://localhost/")
		require.NoError(t, err)
		for _, m := range []string{"one", "two"} {
			require.NoError(t, websocket.Message.Send(ws, m))
			var got string
			require.NoError(t, websocket.Message.Receive(ws, &got))
			assert.Equal(t, "echo "+m+" via flask.example.com", got)
		}
		ws.Close()

		resp, err := http.Get(p.URL + "/env/events")
		require.NoError(t, err)
		r := bufio.NewReader(resp.Body)
		for i := 0; i < 3; i++ {
			line, err := r.ReadString('\n')
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("data: %d\n", i), line)
			_, _ = r.ReadString('\n')
			next <- struct{}{}
		}
		resp.Body.Close()

		before := len(env.Upstream.Requests())
		status, body := raw(t, p.URL, "CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n")
		assert.Equal(t, 405, status)
		assert.Equal(t, "expose-gw proxy: CONNECT is refused: this is not an open proxy, send plain requests to the proxy's address\n", body)
		status, body = raw(t, p.URL, "GET http://example.org/ HTTP/1.1\r\nHost: example.org\r\n\r\n")
		assert.Equal(t, 403, status)
		assert.Equal(t, "expose-gw proxy: absolute-form request for \"example.org\" is refused: this is not an open proxy, it only reaches the ingress gateway\n", body)
		assert.Len(t, env.Upstream.Requests(), before, "refused requests must not reach the gateway")
		p.Stop()
	})

	t.Run("https with SNI to the gateway's https port", func(t *testing.T) {
		// An HTTPS server for two hosts whose credential (in the gateway
		// workload's namespace) is valid for example.com only.
		env.CreateTLSSecret(testenv.IstioNamespace, "example-cert", "example.com")
		exposeHTTPS(t, env, "secure", []string{"example.com", "flask.example.org"}, "example-cert")
		ca := env.CAFile()

		p := startProxy(t, env, "--host", "example.com", "--https", "--gateway-ca-file", ca, "--via", "port-forward")
		assert.Equal(t, "Forwarding "+p.URL+" -> port-forward to pod istio-system/istio-ingressgateway-0 port 8443 (Host: example.com)", p.Stdout[0])
		status, body := p.Do("GET", "/secure", nil)
		require.Equal(t, 200, status, body)
		var seen testenv.Request
		require.NoError(t, json.Unmarshal([]byte(body), &seen))
		assert.Equal(t, testenv.Request{Method: "GET", Host: "example.com", Path: "/secure", TLS: true, SNI: "example.com"},
			testenv.Request{Method: seen.Method, Host: seen.Host, Path: seen.Path, TLS: seen.TLS, SNI: seen.SNI})
		p.Stop()

		// The certificate is not for flask.example.org: refused, in one line.
		p = startProxy(t, env, "--host", "flask.example.org", "--https", "--gateway-ca-file", ca, "--via", "port-forward")
		status, body = p.Do("GET", "/secure", nil)
		assert.Equal(t, 502, status)
		assert.Equal(t, "expose-gw proxy: tls: failed to verify certificate: x509: certificate is valid for example.com, not flask.example.org\n", body)
		p.Stop()

		p = startProxy(t, env, "--host", "flask.example.org", "--https", "--gateway-insecure-skip-tls-verify", "--via", "port-forward")
		status, body = p.Do("GET", "/secure", nil)
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, `"sni":"flask.example.org"`)
		p.Stop()

		// The deprecated spelling of the previous release still reads
		// --insecure-skip-tls-verify for the gateway, and says so.
		p = startProxy(t, env, "--host", "flask.example.org", "--https", "--insecure-skip-tls-verify", "--via", "port-forward")
		status, body = p.Do("GET", "/secure", nil)
		require.Equal(t, 200, status, body)
		assert.Contains(t, p.stderr.String(), "Warning: --insecure-skip-tls-verify with --https is read as --gateway-insecure-skip-tls-verify, for the gateway only, as before")
		p.Stop()
	})

	t.Run("kubectl's --insecure-skip-tls-verify is the API server's, --gateway-ca-file the gateway's", func(t *testing.T) {
		testKubeTLSFlags(t, env)
	})

	t.Run("the gateway pod is deleted and replaced while the proxy runs", func(t *testing.T) {
		p := startProxy(t, env, "flaskapp", "--via", "port-forward")
		release := make(chan struct{})
		env.Upstream.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/env/slow" {
				<-release
			}
			fmt.Fprintf(w, "ok %s", r.URL.Path)
		}))
		defer env.Upstream.SetHandler(nil)
		defer close(release)

		type result struct {
			status int
			body   string
		}
		inflight := make(chan result, 1)
		before := len(env.Upstream.Requests())
		go func() {
			resp, err := http.Post(p.URL+"/env/slow", "text/plain", strings.NewReader("payload"))
			if err != nil {
				inflight <- result{0, err.Error()}
				return
			}
			defer resp.Body.Close()
			b := new(strings.Builder)
			_, _ = bufio.NewReader(resp.Body).WriteTo(b)
			inflight <- result{resp.StatusCode, b.String()}
		}()
		testenv.Eventually(t, 30e9, "the slow request to reach the gateway", func() (bool, error) {
			return len(env.Upstream.Requests()) > before, nil
		})
		zero := int64(0)
		require.NoError(t, env.Kube.CoreV1().Pods(testenv.IstioNamespace).Delete(env.Ctx(), "istio-ingressgateway-0",
			metav1.DeleteOptions{GracePeriodSeconds: &zero}))
		got := <-inflight
		assert.Equal(t, result{502, "expose-gw proxy: gateway pod istio-system/istio-ingressgateway-0 was deleted\n"}, got)

		// The next request waits for a Ready pod and goes to it.
		next := make(chan result, 1)
		go func() {
			resp, err := http.Get(p.URL + "/env/version")
			if err != nil {
				next <- result{0, err.Error()}
				return
			}
			defer resp.Body.Close()
			b := new(strings.Builder)
			_, _ = bufio.NewReader(resp.Body).WriteTo(b)
			next <- result{resp.StatusCode, b.String()}
		}()
		env.CreateGatewayPod("istio-ingressgateway-1", testenv.NodeName)
		assert.Equal(t, result{200, "ok /env/version"}, <-next)
		status, body := p.Do("GET", "/env/again", nil)
		assert.Equal(t, 200, status)
		assert.Equal(t, "ok /env/again", body)
		assert.Contains(t, p.stderr.String(), "gateway pod istio-system/istio-ingressgateway-0 was deleted; waiting for a Ready gateway pod\n")
		assert.Contains(t, p.stderr.String(), "tunnelling to gateway pod istio-system/istio-ingressgateway-1 port 8080\n")
		p.Stop()
	})
}
