package urltest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/url"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// counter is an http.RoundTripper that records the requests it carries and
// the bytes of their responses.
type counter struct {
	mu    sync.Mutex
	reqs  []string
	bytes int64
	next  http.RoundTripper
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, r.Method+" "+r.URL.RequestURI())
	c.mu.Unlock()
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, c: c}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	c *counter
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.c.mu.Lock()
	b.c.bytes += int64(n)
	b.c.mu.Unlock()
	return n, err
}

// runURL runs the url command in-process with a counting transport and
// returns its output, the API requests it made and the bytes it read.
func runURL(t *testing.T, env *testenv.Env, args ...string) (string, []string, int64) {
	t.Helper()
	c := &counter{}
	flags := kube.NewConfigFlags()
	flags.Rules.ExplicitPath = env.Kubeconfig
	flags.WrapConfigFn = func(cfg *rest.Config) *rest.Config {
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { c.next = rt; return c })
		return cfg
	}
	var out, errOut bytes.Buffer
	cmd := url.NewCmd(flags, genericiooptions.IOStreams{Out: &out, ErrOut: &errOut})
	cmd.SetArgs(args)
	require.NoError(t, cmd.ExecuteContext(env.Ctx()), errOut.String())
	return out.String(), c.reqs, c.bytes
}

// TestURLRequestsDoNotGrowWithTheCluster counts the API requests of `url`
// with one node and one Service, then with 5,000 nodes and 2,000 more
// Services (half of them in the gateway's namespace): the same requests.
func TestURLRequestsDoNotGrowWithTheCluster(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	ctx := env.Ctx()
	service(t, env, "istio-system", "istio-ingressgateway", corev1.ServiceTypeNodePort, testenv.GatewayLabels, gatewayPorts(31380, 31390))
	node(t, env, "node-1", true, internalIP("10.0.0.1"))
	pod(t, env, "istio-system", "istio-ingressgateway-0", "node-1", testenv.GatewayLabels, true)
	env.CreateApp(testenv.App{Name: "flaskapp"})
	seedRoutes(t, env)

	cases := [][]string{{"-o", "env"}, {"flaskapp"}}
	small := map[string][]string{}
	smallBytes := map[string]int64{}
	for _, args := range cases {
		out, reqs, n := runURL(t, env, args...)
		t.Logf("url %v: %d requests, %d bytes read, with 1 node and 1 app Service:\n%s", args, len(reqs), n, out)
		for _, r := range reqs {
			t.Logf("  %s", r)
		}
		small[fmt.Sprint(args)] = reqs
		smallBytes[fmt.Sprint(args)] = n
	}
	require.Contains(t, small["[-o env]"], "GET /api/v1/nodes/node-1")

	// Grow the cluster fast: a client without rate limit, 32 writers.
	cfg := rest.CopyConfig(env.Config)
	cfg.QPS, cfg.Burst = -1, 0
	kube := kubernetes.NewForConfigOrDie(cfg)
	work := make(chan func() error)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				if err := f(); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range 5000 {
		work <- func() error {
			_, err := kube.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bulk-node-%04d", i)}}, metav1.CreateOptions{})
			return err
		}
	}
	for i := range 2000 {
		ns := "default"
		if i%2 == 0 {
			ns = "istio-system"
		}
		work <- func() error {
			s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bulk-svc-%04d", i), Namespace: ns},
				Spec: corev1.ServiceSpec{Selector: map[string]string{"app": fmt.Sprintf("bulk-%d", i)},
					Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
			_, err := kube.CoreV1().Services(ns).Create(ctx, s, metav1.CreateOptions{})
			return err
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatalf("growing the cluster: %v", err)
	default:
	}
	nodes, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	require.Len(t, nodes.Items, 5001)

	for _, args := range cases {
		out, reqs, n := runURL(t, env, args...)
		t.Logf("url %v: %d requests, %d bytes read, with 5,001 nodes and 2,001 app Services:\n%s", args, len(reqs), n, out)
		// The same requests; their order is not fixed: the APIs are read
		// at once (apis.Read).
		assert.ElementsMatch(t, small[fmt.Sprint(args)], reqs, "url %v must make the same requests", args)
		// Only resourceVersions grow by a few digits; one more node or
		// Service read would add hundreds of bytes.
		assert.InDelta(t, smallBytes[fmt.Sprint(args)], n, 200, "url %v must read as much as before", args)
	}
}
