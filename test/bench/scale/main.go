// Command scale is the sandbox of test/bench/scale.sh: it starts the test
// control plane (kube-apiserver, etcd, kwok, the Istio-driven gateway) with
// the seed's world (istio-system/istio-ingressgateway and its Running pod,
// default/flaskapp), writes the admin kubeconfig path to -kubeconfig-out,
// then reads commands from stdin, one a line:
//
//	grow N   create "other teams'" VirtualServices until N exist, then
//	         print "ready N" on stdout
//
// and stops at end of input or SIGINT/SIGTERM. The other teams live in
// -namespaces namespaces team-00, team-01, ...: each has a Service "web"
// and an Istio Gateway "team-gw" (selector istio=ingressgateway, port 80
// HTTP, host *.team-K.example.com); VirtualService svc-I is in team-K with
// K = I mod -namespaces, host svc-I.team-K.example.com, bound to team-gw,
// with -routes HTTP routes (prefixes /a, /b, ...) to web. They are created
// with the typed Istio client by -workers goroutines.
//
//	go run ./test/bench/scale -kubeconfig-out /tmp/kc-path
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	istioclient "istio.io/client-go/pkg/clientset/versioned"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

var (
	kubeconfigOut = flag.String("kubeconfig-out", "", "file to write the kubeconfig path to once the sandbox is ready")
	namespaces    = flag.Int("namespaces", 50, "number of team namespaces the VirtualServices are spread over")
	routes        = flag.Int("routes", 4, "HTTP routes of each VirtualService (prefixes /a, /b, ...)")
	workers       = flag.Int("workers", 16, "parallel creates")
)

func main() {
	flag.Parse()
	if *namespaces < 1 || *routes < 1 || *routes > 26 || *workers < 1 {
		fmt.Fprintln(os.Stderr, "scale: -namespaces and -workers must be >= 1, -routes in 1..26")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := testenv.NewRunner(ctx, "expose-gw-scale-", nil)
	if err := r.Run(func() { run(ctx, r) }); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, r *testenv.Runner) {
	env := testenv.Start(r, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{})
	start := time.Now()
	for k := 0; k < *namespaces; k++ {
		ns := teamNamespace(k)
		env.CreateApp(testenv.App{Name: "web", Namespace: ns, Ports: []corev1.ServicePort{
			{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP}}})
		if _, err := env.Istio.NetworkingV1().Gateways(ns).Create(ctx, teamGateway(k), metav1.CreateOptions{}); err != nil {
			r.Fatalf("creating Gateway %s/team-gw: %v", ns, err)
		}
	}
	fmt.Fprintf(os.Stderr, "scale: %d team namespaces with a Service and a Gateway in %s\n", *namespaces, time.Since(start).Round(time.Millisecond))
	if *kubeconfigOut != "" {
		if err := os.WriteFile(*kubeconfigOut, []byte(env.Kubeconfig), 0o600); err != nil {
			r.Fatal(err)
		}
	}
	fmt.Fprintln(os.Stderr, "scale: sandbox ready, kubeconfig:", env.Kubeconfig)

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	have := 0
	for {
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return
		case line, ok = <-lines:
			if !ok {
				return
			}
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 || f[0] != "grow" {
			r.Fatalf("unknown command %q (want: grow N)", line)
		}
		n, err := strconv.Atoi(f[1])
		if err != nil || n < have {
			r.Fatalf("grow %q: want a count >= %d", f[1], have)
		}
		t0 := time.Now()
		if err := grow(ctx, env.Istio, have, n); err != nil {
			r.Fatalf("grow %d: %v", n, err)
		}
		created := time.Since(t0)
		have = n
		// The Istio-driven gateway takes the new objects now, not while
		// the script measures.
		env.IstioGateway.Sync()
		total, err := countVirtualServices(ctx, env.Istio)
		if err != nil {
			r.Fatalf("counting VirtualServices: %v", err)
		}
		fmt.Fprintf(os.Stderr, "scale: %d team VirtualServices (%d in all) created in %s, gateway synced in %s\n",
			have, total, created.Round(time.Millisecond), (time.Since(t0) - created).Round(time.Millisecond))
		fmt.Printf("ready %d\n", have)
	}
}

func teamNamespace(k int) string { return fmt.Sprintf("team-%02d", k) }

func teamGateway(k int) *networkingv1.Gateway {
	return &networkingv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: "team-gw", Namespace: teamNamespace(k)},
		Spec: apinet.Gateway{
			Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*apinet.Server{{
				Port:  &apinet.Port{Number: 80, Name: "http", Protocol: "HTTP"},
				Hosts: []string{fmt.Sprintf("*.%s.example.com", teamNamespace(k))},
			}},
		},
	}
}

func teamVirtualService(i int) *networkingv1.VirtualService {
	ns := teamNamespace(i % *namespaces)
	vs := &networkingv1.VirtualService{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("svc-%d", i), Namespace: ns},
		Spec: apinet.VirtualService{
			Hosts:    []string{fmt.Sprintf("svc-%d.%s.example.com", i, ns)},
			Gateways: []string{"team-gw"},
		},
	}
	for j := 0; j < *routes; j++ {
		vs.Spec.Http = append(vs.Spec.Http, &apinet.HTTPRoute{
			Match: []*apinet.HTTPMatchRequest{{Uri: &apinet.StringMatch{
				MatchType: &apinet.StringMatch_Prefix{Prefix: "/" + string(rune('a'+j))}}}},
			Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{
				Host: "web." + ns + ".svc.cluster.local", Port: &apinet.PortSelector{Number: 80}}}},
		})
	}
	return vs
}

// grow creates VirtualServices from..to-1 with *workers goroutines.
func grow(ctx context.Context, c istioclient.Interface, from, to int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				vs := teamVirtualService(i)
				if _, err := c.NetworkingV1().VirtualServices(vs.Namespace).Create(ctx, vs, metav1.CreateOptions{}); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("creating VirtualService %s/%s: %w", vs.Namespace, vs.Name, err)
						cancel()
					}
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for i := from; i < to; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return errors.New("interrupted")
	}
	return nil
}

// countVirtualServices counts the VirtualServices of every namespace.
func countVirtualServices(ctx context.Context, c istioclient.Interface) (int, error) {
	n := 0
	opts := metav1.ListOptions{Limit: 500}
	for {
		l, err := c.NetworkingV1().VirtualServices("").List(ctx, opts)
		if err != nil {
			return 0, err
		}
		n += len(l.Items)
		if l.Continue == "" {
			return n, nil
		}
		opts.Continue = l.Continue
	}
}
