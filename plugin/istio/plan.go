package istio

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// ErrNeedPorts asks the caller to find the ingress gateway's ports and plan
// again: a Gateway server has to be written.
var ErrNeedPorts = errors.New("the ingress gateway ports are needed")

// specs are the Gateway servers the request needs, ports as given.
func specs(e *route.Expose) []ServerSpec {
	var out []ServerSpec
	ns := e.Target.Namespace
	for _, h := range e.Hosts {
		out = append(out, ServerSpec{Port: e.HTTPPort, Protocol: "HTTP", Host: h, HTTPSRedirect: e.HTTPSRedirect, Namespace: ns})
		if e.TLSSecret != "" {
			out = append(out, ServerSpec{Port: e.HTTPSPort, Protocol: "HTTPS", Host: h, Credential: e.TLSSecret, Namespace: ns})
		}
	}
	return out
}

// PlanExpose decides the Gateway and VirtualService writes of an expose:
// reuse a Gateway that already serves the selector and hosts, else create
// or extend the tool's own; merge the routes into the one VirtualService of
// each host on that gateway. The Gateway change comes first.
func PlanExpose(e *route.Expose, st State) ([]route.Change, error) {
	ns := e.Target.Namespace
	gwc, err := planGateway(e, st)
	if err != nil {
		return nil, err
	}
	gwRef := route.ObjectRef{Namespace: GatewayOf(gwc).Namespace, Name: GatewayOf(gwc).Name}
	changes := []route.Change{gwc}
	add := make([]*apinet.HTTPRoute, len(e.Matches))
	for i, m := range e.Matches {
		add[i] = BuildRoute(e.Target, m)
	}
	gateways := []string{rules.GatewayEntry(gwRef, ns)}
	if e.Mesh {
		gateways = append(gateways, route.MeshGateway)
	}
	for _, host := range e.Hosts {
		c, err := planVirtualService(e, st, host, gwRef, gateways, add)
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	return changes, nil
}

func findGateway(st State, ref route.ObjectRef) *networkingv1.Gateway {
	for _, g := range st.Gateways {
		if g.Namespace == ref.Namespace && g.Name == ref.Name {
			return g
		}
	}
	return nil
}

// planGateway picks the Gateway: the --gateway one, or one of the
// namespace serving the selector, port and hosts, else the tool's own,
// created or extended. Ports not known yet are taken from the tool's
// servers on that Gateway; when still unknown, any port matches while
// looking, and a match asks for the ports (ErrNeedPorts) to be sure.
func planGateway(e *route.Expose, st State) (route.Change, error) {
	own := route.ObjectRef{Namespace: e.Target.Namespace, Name: route.GatewayName(e.Selector)}
	if e.Gateway != nil {
		own = *e.Gateway
	}
	g := findGateway(st, own)
	if g != nil {
		e = portsFrom(e, g)
	}
	probe := specs(e)
	portsKnown := e.HTTPPort != 0 && (e.TLSSecret == "" || e.HTTPSPort != 0)
	if e.Gateway != nil {
		if g != nil && GatewayServes(g, nil, probe) {
			if !portsKnown {
				return route.Change{}, ErrNeedPorts
			}
			return route.Change{Op: route.OpUnchanged, Object: g}, nil
		}
	} else {
		var reuse []*networkingv1.Gateway
		for _, g := range st.Gateways {
			if g.Namespace == e.Target.Namespace && GatewayServes(g, e.Selector, probe) {
				reuse = append(reuse, g)
			}
		}
		if len(reuse) > 0 {
			if !portsKnown {
				return route.Change{}, ErrNeedPorts
			}
			sort.SliceStable(reuse, func(i, j int) bool {
				// Where the request's routes already are first: a re-run
				// finds them there, whatever Gateway came since.
				if hi, hj := hostsBound(e, st, reuse[i]), hostsBound(e, st, reuse[j]); hi != hj {
					return hi > hj
				}
				if route.IsManaged(reuse[i]) != route.IsManaged(reuse[j]) {
					return route.IsManaged(reuse[i])
				}
				return reuse[i].Name < reuse[j].Name
			})
			return route.Change{Op: route.OpUnchanged, Object: reuse[0]}, nil
		}
	}
	if !portsKnown {
		return route.Change{}, ErrNeedPorts
	}
	if g == nil {
		return route.Change{Op: route.OpCreate, Object: NewGateway(own, e.Selector, specs(e))}, nil
	}
	if !route.IsManaged(g) && !e.Force {
		if entry, port, s, ok := namespaceRefusal(g, specs(e)); ok && (e.Gateway != nil || sameSelector(g, e.Selector)) {
			return route.Change{}, namespaceError(own, entry, port, s)
		}
		return route.Change{}, fmt.Errorf("gateway %s exists and is not managed by kubectl-expose-gw: name another with --gateway, or add --force to add servers to it", own)
	}
	if e.Gateway == nil && !route.IsManaged(g) && !sameSelector(g, e.Selector) {
		return route.Change{}, fmt.Errorf("gateway %s selects %s, not %s: name another with --gateway", own, route.FormatSelector(g.Spec.Selector), route.FormatSelector(e.Selector))
	}
	next := g.DeepCopy()
	next.SetGroupVersionKind(GatewayKind)
	if !EnsureServers(next, specs(e)) {
		return route.Change{Op: route.OpUnchanged, Object: g}, nil
	}
	return route.ChangeOf(route.OpUpdate, next, g), nil
}

// hostsBound is how many of the request's hosts a VirtualService of the
// tool in the Service's namespace binds on g.
func hostsBound(e *route.Expose, st State, g *networkingv1.Gateway) int {
	ref := route.ObjectRef{Namespace: g.Namespace, Name: g.Name}
	n := 0
	for _, h := range e.Hosts {
		if slices.ContainsFunc(st.VirtualServices, func(vs *networkingv1.VirtualService) bool {
			return vs.Namespace == e.Target.Namespace && route.IsManaged(vs) && Binds(vs, h, ref)
		}) {
			n++
		}
	}
	return n
}

// namespaceError says that the server host entry of gw on port would
// serve s.Host but admits no VirtualService of s's namespace.
func namespaceError(gw route.ObjectRef, entry string, port uint32, s ServerSpec) error {
	only, h, _ := strings.Cut(entry, "/")
	if only == "." {
		only = gw.Namespace
	}
	return fmt.Errorf("gateway %s has server host %q (port %d), which admits only VirtualServices of namespace %s, not %s: it needs a host entry admitting namespace %s, such as %q or %q; add one to the gateway, name another with --gateway, or add --force to add a server for it",
		gw, entry, port, only, s.Namespace, s.Namespace, "*/"+h, s.Namespace+"/"+h)
}

func sameSelector(g *networkingv1.Gateway, sel map[string]string) bool {
	return route.FormatSelector(g.Spec.Selector) == route.FormatSelector(sel)
}

// ConflictError reports VirtualServices the tool does not manage that bind
// the same host and gateway: Istio would merge them in no defined order.
type ConflictError struct {
	Host    string
	Gateway route.ObjectRef
	Others  []string // namespace/name
	Shadows []string // what their routes shadow of the new ones
}

func (e *ConflictError) Error() string {
	s := fmt.Sprintf("virtualservice %s (not managed by kubectl-expose-gw) already binds host %q on gateway %s",
		strings.Join(e.Others, ", "), e.Host, e.Gateway)
	if len(e.Shadows) > 0 {
		s += " and " + strings.Join(e.Shadows, ", ")
	}
	return s + ": add --force to merge the routes into it"
}

func planVirtualService(e *route.Expose, st State, host string, gwRef route.ObjectRef, gateways []string, add []*apinet.HTTPRoute) (route.Change, error) {
	ns := e.Target.Namespace
	var target *networkingv1.VirtualService
	var others []*networkingv1.VirtualService
	for _, vs := range st.VirtualServices {
		if vs.Namespace != ns || !Binds(vs, host, gwRef) {
			continue
		}
		if route.IsManaged(vs) && target == nil {
			target = vs
		} else if !route.IsManaged(vs) {
			others = append(others, vs)
		}
	}
	if len(others) > 0 && !e.Force {
		ce := &ConflictError{Host: host, Gateway: gwRef}
		for _, o := range others {
			ce.Others = append(ce.Others, o.Namespace+"/"+o.Name)
			for _, r := range o.Spec.Http {
				for _, n := range add {
					m, _ := rules.MatchOf(n)
					if mo, ok := rules.MatchOf(r); ok && mo.Covers(m) || rules.MatchAll(r) {
						ce.Shadows = append(ce.Shadows, fmt.Sprintf("its route %s shadows %s", rules.DescribeMatch(r), m))
					}
				}
			}
		}
		return route.Change{}, ce
	}
	if target == nil && len(others) > 0 {
		target = others[0] // --force: merge into the user's VirtualService
	}
	if target == nil {
		name := route.VirtualServiceName(host, gwRef, ns)
		routes, _, err := MergeRoutes(nil, add, e.Force)
		if err != nil {
			return route.Change{}, err
		}
		for _, vs := range st.VirtualServices {
			if vs.Namespace == ns && vs.Name == name {
				// Adding the host and gateway to it would route each of
				// its hosts on each of its gateways: never, --force or not.
				return route.Change{}, namesakeError(vs, host, gwRef)
			}
		}
		return route.Change{Op: route.OpCreate, Object: NewVirtualService(name, ns, host, gateways, routes)}, nil
	}
	routes, changed, err := mergeRoutes(target.Spec.Http, add, e.Force, !route.IsManaged(target)) // the user's: no route moves
	if err != nil {
		var rc *RouteConflictError
		if errors.As(err, &rc) {
			return route.Change{}, fmt.Errorf("host %q: %w (virtualservice %s/%s)", host, err, target.Namespace, target.Name)
		}
		return route.Change{}, err
	}
	next := target.DeepCopy()
	next.SetGroupVersionKind(VirtualServiceKind)
	next.Spec.Http = routes
	if !slices.Contains(next.Spec.Hosts, host) {
		next.Spec.Hosts = append(next.Spec.Hosts, host)
		changed = true
	}
	for _, g := range gateways {
		if !slices.Contains(next.Spec.Gateways, g) {
			next.Spec.Gateways = append(next.Spec.Gateways, g)
			changed = true
		}
	}
	if !changed {
		return route.Change{Op: route.OpUnchanged, Object: target}, nil
	}
	return route.ChangeOf(route.OpUpdate, next, target), nil
}

// namesakeError says that vs has the name the tool would give the
// VirtualService of host on gw, but binds other hosts or gateways.
func namesakeError(vs *networkingv1.VirtualService, host string, gw route.ObjectRef) error {
	gws := vs.Spec.Gateways
	if len(gws) == 0 {
		gws = []string{route.MeshGateway}
	}
	return fmt.Errorf("virtualservice %s/%s exists and binds other hosts or gateways (hosts %s; gateways %s), not host %q on gateway %s: adding these to it would route each of its hosts on each of its gateways; delete or rename it, or choose another --host or --gateway",
		vs.Namespace, vs.Name, strings.Join(vs.Spec.Hosts, ", "), strings.Join(gws, ", "), host, gw)
}

// portsFrom fills the ports not looked up yet from the servers the tool
// already wrote on g, which saves finding the ingress gateway again.
func portsFrom(e *route.Expose, g *networkingv1.Gateway) *route.Expose {
	c := *e
	for _, srv := range g.Spec.Servers {
		n := srv.GetPort().GetNumber()
		switch {
		case c.HTTPPort == 0 && strings.EqualFold(srv.GetPort().GetProtocol(), "HTTP") && strings.HasPrefix(srv.GetName(), "http-"):
			c.HTTPPort = n
		case c.HTTPSPort == 0 && strings.EqualFold(srv.GetPort().GetProtocol(), "HTTPS") && strings.HasPrefix(srv.GetName(), "https-"):
			c.HTTPSPort = n
		}
	}
	return &c
}
