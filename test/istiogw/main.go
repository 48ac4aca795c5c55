// Command istiogw is the test environment's ingress gateway: Istio's own
// control-plane code (pilot, in-process) turns the cluster's Gateways,
// VirtualServices, Services and Gateway API objects into the Envoy
// listeners and routes of each gateway workload, and istiogw answers on
// the gateway's ports as that Envoy would, forwarding what Istio sends to a
// cluster to one upstream stand-in with the cluster's name and the
// rewritten path. It is a test tool: istio.io/istio stays out of the
// plugin's module.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	istiolog "istio.io/istio/pkg/log"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "istiogw:", err)
		os.Exit(1)
	}
}

func run() error {
	var listens listFlag
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster")
	adminAddr := flag.String("admin", "127.0.0.1:0", "admin address (sync, listen, analyze, routes, status)")
	adminFile := flag.String("admin-file", "", "write the admin address here once serving")
	upstream := flag.String("upstream", "", "URL of the upstream stand-in every cluster is sent to")
	flag.Var(&listens, "listen", "ADDR=NAMESPACE:PORT: ADDR is port PORT of the Istio gateway pod in NAMESPACE; ADDR=NAMESPACE/GATEWAY:PORT: of the pod of Gateway API Gateway GATEWAY (repeatable)")
	flag.Parse()
	for _, s := range istiolog.Scopes() {
		s.SetOutputLevel(istiolog.ErrorLevel)
	}
	up, err := url.Parse(*upstream)
	if err != nil || up.Host == "" {
		return fmt.Errorf("--upstream %q: want http://HOST:PORT", *upstream)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 200, 400
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	mc, err := metadata.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	ks, err := present(dc)
	if err != nil {
		return err
	}
	g := &Gateway{dyn: dyn, meta: mc, kinds: ks, upstream: up}
	g.proxy = g.newProxy()
	for _, s := range listens {
		m, err := parseMapping(s)
		if err != nil {
			return err
		}
		m.gw = g
		m.hold()
		g.mappings = append(g.mappings, m)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := g.Sync(ctx); err != nil {
		return err
	}
	watch(ctx, g, dyn, ks)
	ln, err := net.Listen("tcp", *adminAddr)
	if err != nil {
		return err
	}
	if *adminFile != "" {
		if err := os.WriteFile(*adminFile+".tmp", []byte(ln.Addr().String()), 0o644); err != nil {
			return err
		}
		if err := os.Rename(*adminFile+".tmp", *adminFile); err != nil {
			return err
		}
	}
	log.Printf("admin on %s; %d kinds", ln.Addr(), len(ks))
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	srv := &http.Server{Handler: g.admin(), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// watch rebuilds when any object changes (debounced by 20 ms): the
// gateway follows the cluster as Envoy follows istiod.
func watch(ctx context.Context, g *Gateway, dyn dynamic.Interface, ks []kind) {
	kick := make(chan struct{}, 1)
	f := dynamicinformer.NewDynamicSharedInformerFactory(dyn, 0)
	h := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { poke(kick) },
		UpdateFunc: func(any, any) { poke(kick) },
		DeleteFunc: func(any) { poke(kick) },
	}
	for _, k := range ks {
		_, _ = f.ForResource(k.gvr).Informer().AddEventHandler(h)
	}
	f.Start(ctx.Done())
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-kick:
				time.Sleep(20 * time.Millisecond)
				if _, err := g.Sync(ctx); err != nil && ctx.Err() == nil {
					log.Printf("sync: %v", err)
				}
			}
		}
	}()
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
