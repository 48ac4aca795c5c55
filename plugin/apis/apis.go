// Package apis is the seam between the commands and the two traffic
// APIs: the interface each adapter (package istio, package gwapi)
// implements, the list of them a command uses, auto's choice and the one
// policy for an API the cluster does not serve or the user may not read.
// Commands speak to the APIs only through it.
package apis

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apply"
	"github.com/expose-gw/kubectl-expose-gw/plugin/certmanager"
	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/istio"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// API is one traffic API's side of every command.
type API interface {
	// Name is the --api value; Title names the API in messages
	// ("Istio API"); RouteKind names its route objects.
	Name() string
	Title() string
	RouteKind() string
	// AddStores adds the writers of its kinds (for the applier).
	AddStores(apply.Stores)
	// Exposer is its side of expose.
	Exposer(*route.ExposeInput) route.Exposer
	// Deleter is its side of delete.
	Deleter(*route.Delete) route.Deleter
	// Rows are the rows of list for namespace ns ("": every namespace).
	Rows(ctx context.Context, ns string) ([]route.RouteRow, error)
	// ServiceRoutes are the routes to Service ns/name (on Gateway gw only,
	// when given: it must exist).
	ServiceRoutes(ctx context.Context, ns, name string, gw *route.ObjectRef) ([]route.Route, error)
	// GatewayURLs fills the gateway part of url's report (no SERVICE).
	GatewayURLs(ctx context.Context, rep *route.URLReport, in route.URLInput) error
	// RouteURLs adds the URLs of routes (from ServiceRoutes) to rep; the
	// first gateway reached fills its gateway part unless filled.
	// lastErr is why the last route left out could not be reached.
	RouteURLs(ctx context.Context, rep *route.URLReport, routes []route.Route, in route.URLInput) (lastErr, err error)
	// Reach is how proxy reaches the gateway of routes (from
	// ServiceRoutes), or without routes the API's default gateway.
	Reach(ctx context.Context, routes []route.Route, in route.ProxyInput) (*route.Reach, error)
	// HasGateway is whether ref is a Gateway of this API.
	HasGateway(ctx context.Context, ref route.ObjectRef) bool
	// Explain walks a request through the gateway as Istio routes it,
	// over every route of the cluster (explain). An error is the user's
	// mistake or a failed read; what the gateway does is the answer.
	Explain(ctx context.Context, in *route.ExplainInput) (*route.Explanation, error)
	// Lint reports what keeps the routes of in's scope from working, over
	// every route of the cluster (lint).
	Lint(ctx context.Context, in *route.LintInput) ([]route.Finding, error)
}

// Set is both APIs for one command, the Istio API first.
type Set struct {
	istio   *istio.API
	gw      *gwapi.API
	clients *kube.Clients
}

// New is the APIs of one command: their look-ups run in ctx.
func New(ctx context.Context, c *kube.Clients) *Set {
	return &Set{istio: istio.New(ctx, c), gw: gwapi.New(c), clients: c}
}

// All are the APIs, the Istio API first.
func (s *Set) All() []API { return []API{s.istio, s.gw} }

// Default is the API of the seed's world, the Istio API: what a client
// dry run prints when neither API has its gateway.
func (s *Set) Default() API { return s.istio }

// Close lets look-ups started meanwhile end rather than cut their
// requests short (client-go logs those).
func (s *Set) Close() { s.istio.Close() }

// Named is the API of an --api value other than auto.
func (s *Set) Named(name string) API {
	if name == s.gw.Name() {
		return s.gw
	}
	return s.istio
}

// Stores are the writers of every kind the tool writes: both APIs', the
// Secrets of --tls self-signed and the Certificates of --tls cert-manager.
func (s *Set) Stores() apply.Stores {
	st := apply.Stores{}
	apply.AddStore(st, "secrets", func(ns string) apply.TypedClient[*corev1.Secret] {
		return s.clients.Kube.CoreV1().Secrets(ns)
	})
	if s.clients.Dynamic != nil {
		certmanager.AddStore(st, s.clients.Dynamic)
	}
	for _, a := range s.All() {
		a.AddStores(st)
	}
	return st
}

// RouteKinds names the route objects of apis: "VirtualService or
// HTTPRoute".
func RouteKinds(apis []API) string {
	kinds := make([]string, len(apis))
	for i, a := range apis {
		kinds[i] = a.RouteKind()
	}
	return kube.OrList(kinds)
}
