package proxy

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/dial"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/portforward"
)

// hostSite is one route host proxy --all serves: the routes reaching it
// with one scheme, of one API, and the Services they go to.
type hostSite struct {
	host     string
	scheme   string
	api      apis.API
	routes   []route.Route
	services []string // NAMESPACE/NAME, one per route
}

// runAll serves every route host of the namespace (of every namespace
// with -A) on one local port, each at http://HOST.localhost:PORT.
func (o *ProxyOptions) runAll(ctx context.Context) error {
	c := o.clients
	set := apis.New(ctx, c)
	defer set.Close()
	sites, err := o.allSites(ctx, set)
	if err != nil {
		return err
	}
	ways := map[string]*way{}
	defer func() {
		for _, w := range ways {
			w.gw.Close()
		}
	}()
	var targets []portforward.Site
	var hows []string
	for _, s := range sites {
		w, err := o.wayTo(ctx, ways, s)
		if err != nil {
			return fmt.Errorf("host %s: %w", s.host, err)
		}
		if !slices.Contains(hows, w.gw.How) {
			hows = append(hows, w.gw.How)
		}
		targets = append(targets, portforward.Site{Host: s.host, Target: w.target, Transport: w.transport})
	}
	ln, err := o.listen()
	if err != nil {
		return err
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	self := portforward.SelfNames(ln.Addr())
	fmt.Fprintf(o.Out, "Forwarding http://%s -> %s (Host: HOST of each http://HOST.localhost:%s)\n", clickable(ln.Addr()), strings.Join(hows, ", "), port)
	if err := printSites(o.Out, sites, port); err != nil {
		return err
	}
	guard := &portforward.Guard{Self: self, Next: portforward.NewSites(targets, port, self)}
	portforward.TuneGC()
	return portforward.Serve(ctx, ln, portforward.Target{}, guard)
}

// way is one way to a gateway port, and the keep-alive connections to it
// that the sites reached through it share.
type way struct {
	gw        *gateway
	target    portforward.Target
	transport http.RoundTripper
}

// wayTo opens (once per API, gateway, scheme, port, listener and whether
// the tool's CA is trusted) the way to the gateway of s.
func (o *ProxyOptions) wayTo(ctx context.Context, ways map[string]*way, s hostSite) (*way, error) {
	r := s.routes[0]
	toolCA := slices.ContainsFunc(s.routes, route.Route.ServesToolCertificate)
	key := fmt.Sprint(s.api.Name(), " ", r.Gateway, " ", r.Scheme, " ", r.ServerPort, " ", r.Listener, " ", toolCA)
	if w, ok := ways[key]; ok {
		return w, nil
	}
	https := s.scheme == "https"
	_, svc, _ := strings.Cut(s.services[0], "/")
	rch, err := s.api.Reach(ctx, s.routes, route.ProxyInput{Service: svc, HTTPS: https, Selector: o.selector, Gateway: o.gatewayRef, ViaAuto: o.Via == dial.ViaAuto})
	if err != nil {
		return nil, err
	}
	cli.Say(o.ErrOut, rch.Notes...)
	gw, err := o.reach(ctx, rch, https)
	if err != nil {
		return nil, err
	}
	t := portforward.Target{HTTPS: https, TLS: gw.tls, Dial: gw.Dial}
	w := &way{gw: gw, target: t, transport: portforward.NewTransport(t)}
	ways[key] = w
	return w, nil
}

// allSites are the route hosts of the Services of the namespace (of the
// namespaces with routes, with -A), each with the scheme it is reached
// by: https when it has an https route (what a browser is sent to by an
// https redirect), else http; with --https only the https ones.
func (o *ProxyOptions) allSites(ctx context.Context, set *apis.Set) ([]hostSite, error) {
	c := o.clients
	asked, err := set.ForService(ctx, apis.Choice{Flag: o.API, Gateway: o.gatewayRef, Say: cli.Line(o.ErrOut)})
	if err != nil {
		return nil, err
	}
	namespaces := []string{c.Namespace}
	if o.AllNamespaces {
		if namespaces, err = routeNamespaces(ctx, asked); err != nil {
			return nil, err
		}
	}
	byHost := map[string]*hostSite{}
	var forbidden error
	var warnings []string // each said once, not once per Service
	for _, ns := range namespaces {
		l, err := c.Kube.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, svc := range l.Items {
			res, err := apis.ServiceRoutes(ctx, asked, "used", ns, svc.Name, o.gatewayRef)
			if apierrors.IsForbidden(err) {
				forbidden = err // a Service without routes of the API one may read: the others still are
				continue
			}
			if err != nil {
				return nil, err
			}
			for _, w := range res.Warnings {
				if !slices.Contains(warnings, w) {
					warnings = append(warnings, w)
				}
			}
			for _, f := range res.Found {
				for _, r := range f.Items {
					addSiteRoute(byHost, f.API, r, ns+"/"+svc.Name)
				}
			}
		}
	}
	cli.Warn(o.ErrOut, warnings...)
	var out []hostSite
	for _, s := range byHost {
		if o.HTTPS && s.scheme != "https" {
			continue
		}
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].host < out[j].host })
	where := "namespace " + c.Namespace
	if o.AllNamespaces {
		where = "any namespace"
	}
	switch {
	case len(out) > 0:
		if forbidden != nil {
			cli.Warnf(o.ErrOut, "some routes could not be read, the hosts they serve are left out: %v", forbidden)
		}
		return out, nil
	case forbidden != nil:
		return nil, forbidden
	case len(byHost) > 0:
		return nil, fmt.Errorf("no https routes to proxy in %s, only http ones (%d hosts): leave out --https", where, len(byHost))
	}
	return nil, fmt.Errorf("no routes to proxy in %s: no %s routes to a Service through a Gateway (give SERVICE or --host, or expose one first: kubectl expose-gw SERVICE)", where, apis.RouteKinds(asked))
}

// addSiteRoute adds r (a route of api to service) to its host's site:
// the first API a host is found with keeps it; an https route replaces
// the http ones found before.
func addSiteRoute(byHost map[string]*hostSite, api apis.API, r route.Route, service string) {
	s := byHost[r.Host]
	switch {
	case s == nil:
		byHost[r.Host] = &hostSite{host: r.Host, scheme: r.Scheme, api: api, routes: []route.Route{r}, services: []string{service}}
		return
	case s.api.Name() != api.Name():
		return
	case r.Scheme == s.scheme:
	case r.Scheme == "https":
		*s = hostSite{host: r.Host, scheme: r.Scheme, api: api}
	default:
		return
	}
	s.routes = append(s.routes, r)
	s.services = append(s.services, service)
}

// routeNamespaces are the namespaces with route objects of the APIs (-A).
func routeNamespaces(ctx context.Context, asked []apis.API) ([]string, error) {
	var out []string
	for _, api := range asked {
		rows, err := api.Rows(ctx, "")
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if !slices.Contains(out, r.Namespace) {
				out = append(out, r.Namespace)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
