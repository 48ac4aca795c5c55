package proxy

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/printers"

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
	ways := map[string]*gateway{}
	defer func() {
		for _, gw := range ways {
			gw.Close()
		}
	}()
	var targets []portforward.Site
	var hows []string
	for _, s := range sites {
		gw, err := o.wayTo(ctx, ways, s)
		if err != nil {
			return fmt.Errorf("host %s: %w", s.host, err)
		}
		if !slices.Contains(hows, gw.How) {
			hows = append(hows, gw.How)
		}
		targets = append(targets, portforward.Site{Host: s.host,
			Target: portforward.Target{HTTPS: s.scheme == "https", TLS: gw.tls, Dial: gw.Dial}})
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(o.Address, strconv.Itoa(o.LocalPort)))
	if err != nil {
		return fmt.Errorf("cannot listen on %s port %d: %w (choose another --local-port, or 0 for any free port)", o.Address, o.LocalPort, err)
	}
	if !loopback(o.Address) {
		cli.Warnf(o.ErrOut, "listening on %s: anyone who can reach this machine can reach the cluster's routes through it", o.Address)
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

// wayTo opens (once per API, gateway, scheme, port and listener) the way
// to the gateway of s.
func (o *ProxyOptions) wayTo(ctx context.Context, ways map[string]*gateway, s hostSite) (*gateway, error) {
	r := s.routes[0]
	key := s.api.Name() + " " + r.Gateway + " " + r.Scheme + " " + strconv.Itoa(int(r.ServerPort)) + " " + r.Listener
	if gw, ok := ways[key]; ok {
		return gw, nil
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
	ways[key] = gw
	return gw, nil
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
	for _, ns := range namespaces {
		l, err := c.Kube.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, svc := range l.Items {
			res, err := apis.ServiceRoutes(ctx, asked, "used", ns, svc.Name, o.gatewayRef)
			if err != nil {
				return nil, err
			}
			cli.Warn(o.ErrOut, res.Warnings...)
			for _, f := range res.Found {
				for _, r := range f.Items {
					addSiteRoute(byHost, f.API, r, ns+"/"+svc.Name)
				}
			}
		}
	}
	var out []hostSite
	for _, s := range byHost {
		if o.HTTPS && s.scheme != "https" {
			continue
		}
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].host < out[j].host })
	if len(out) == 0 {
		where := "namespace " + c.Namespace
		if o.AllNamespaces {
			where = "any namespace"
		}
		what := "routes"
		if o.HTTPS {
			what = "https routes"
		}
		return nil, fmt.Errorf("no %s to proxy in %s: no %s routes to a Service through a Gateway (give SERVICE or --host, or expose one first: kubectl expose-gw SERVICE)", what, where, apis.RouteKinds(asked))
	}
	return out, nil
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

// printSites writes the table of local URLs: one row per route path.
func printSites(out interface{ Write([]byte) (int, error) }, sites []hostSite, port string) error {
	w := printers.GetNewTabWriter(out)
	fmt.Fprintln(w, "LOCAL URL\tHOST\tSERVICE\tGATEWAY")
	for _, s := range sites {
		seen := map[string]bool{}
		for i, r := range s.routes {
			row := r.Path + " " + s.services[i]
			if seen[row] {
				continue
			}
			seen[row] = true
			fmt.Fprintf(w, "http://%s:%s%s\t%s\t%s\t%s\n", portforward.LocalName(s.host), port, r.Path, s.scheme+"://"+s.host, s.services[i], r.Gateway)
		}
	}
	return w.Flush()
}
