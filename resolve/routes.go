package resolve

import (
	"context"
	"fmt"
	"sort"
	"strings"

	apinet "istio.io/api/networking/v1"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	istioclient "istio.io/client-go/pkg/clientset/versioned"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Route is one way a Service is exposed: a VirtualService HTTP route bound
// to a Gateway server.
type Route struct {
	VirtualService string // namespace/name
	Gateway        string // namespace/name
	// Selector is the Gateway's workload selector (which ingress serves it).
	Selector map[string]string
	// ServerPort is the Gateway server's port number, Scheme http or https
	// after its protocol.
	ServerPort uint32
	Scheme     string
	// Host is the VirtualService host the request must carry ("*": any).
	Host string
	// Path is the URI prefix or exact path the route matches ("/" when it
	// matches everything).
	Path string
}

// ServiceRoutes finds the routes to Service ns/name: the VirtualServices of
// ns whose HTTP routes have it as a destination, bound to Gateways (not
// only to the mesh). Requests: one VirtualService list in ns and one Get per
// Gateway referenced.
func ServiceRoutes(ctx context.Context, ist istioclient.Interface, ns, name string) ([]Route, error) {
	l, err := ist.NetworkingV1().VirtualServices(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing VirtualServices in namespace %s: %w", ns, err)
	}
	gws := map[string]*networkingv1.Gateway{}
	var out []Route
	for _, vs := range l.Items {
		for _, m := range vsMatches(vs, ns, name) {
			gw, ok := gws[m.gateway]
			if !ok {
				gwNS, gwName, _ := strings.Cut(m.gateway, "/")
				gw, err = ist.NetworkingV1().Gateways(gwNS).Get(ctx, gwName, metav1.GetOptions{})
				if apierrors.IsNotFound(err) {
					gw = nil // a dangling reference routes nothing
				} else if err != nil {
					return nil, fmt.Errorf("getting Gateway %s of VirtualService %s/%s: %w", m.gateway, vs.Namespace, vs.Name, err)
				}
				gws[m.gateway] = gw
			}
			if gw != nil {
				out = append(out, bind(vs, gw, m)...)
			}
		}
	}
	return out, nil
}

type vsMatch struct {
	gateway string // namespace/name
	host    string
	path    string
}

// vsMatches lists (gateway, host, path) of vs's HTTP routes to Service
// ns/name. Regex URI matches have no URL and are left out.
func vsMatches(vs *networkingv1.VirtualService, ns, name string) []vsMatch {
	var paths []string
	seen := map[string]bool{}
	for _, r := range vs.Spec.Http {
		if !routesTo(r, vs.Namespace, ns, name) {
			continue
		}
		var ps []string
		if len(r.Match) == 0 {
			ps = []string{"/"}
		}
		exact := map[string]bool{}
		for _, m := range r.Match {
			if e := m.GetUri().GetExact(); e != "" {
				exact[e] = true
			}
		}
		for _, m := range r.Match {
			switch p := m.GetUri().GetPrefix(); {
			case m.GetUri() == nil:
				ps = append(ps, "/")
			case p != "":
				// A path prefix is written as exact P plus prefix P/: one URL.
				if !(len(p) > 1 && strings.HasSuffix(p, "/") && exact[strings.TrimSuffix(p, "/")]) {
					ps = append(ps, p)
				}
			case m.GetUri().GetExact() != "":
				ps = append(ps, m.GetUri().GetExact())
			}
		}
		for _, p := range ps {
			if !seen[p] {
				seen[p] = true
				paths = append(paths, p)
			}
		}
	}
	var out []vsMatch
	for _, g := range vs.Spec.Gateways {
		ref, ok := gatewayRef(g, vs.Namespace)
		if !ok {
			continue
		}
		for _, h := range vs.Spec.Hosts {
			for _, p := range paths {
				out = append(out, vsMatch{gateway: ref, host: h, path: p})
			}
		}
	}
	return out
}

// routesTo is true when a destination of r is Service ns/name (as seen from
// a VirtualService in vsNS).
func routesTo(r *apinet.HTTPRoute, vsNS, ns, name string) bool {
	for _, d := range r.Route {
		h := d.GetDestination().GetHost()
		switch h {
		case name + "." + ns, name + "." + ns + ".svc", name + "." + ns + ".svc.cluster.local":
			return true
		case name:
			if vsNS == ns {
				return true
			}
		}
	}
	return false
}

// gatewayRef turns a VirtualService's gateways entry into namespace/name;
// "mesh" is not a gateway.
func gatewayRef(g, vsNS string) (string, bool) {
	if g == "" || g == "mesh" {
		return "", false
	}
	if strings.Contains(g, "/") {
		return g, true
	}
	return vsNS + "/" + g, true
}

// bind pairs a match with the Gateway's HTTP and HTTPS servers that accept
// its host.
func bind(vs *networkingv1.VirtualService, gw *networkingv1.Gateway, m vsMatch) []Route {
	var out []Route
	for _, s := range gw.Spec.Servers {
		scheme := serverScheme(s)
		if scheme == "" || !serverAccepts(s, m.host) {
			continue
		}
		out = append(out, Route{
			VirtualService: vs.Namespace + "/" + vs.Name,
			Gateway:        gw.Namespace + "/" + gw.Name,
			Selector:       gw.Spec.Selector,
			ServerPort:     s.GetPort().GetNumber(),
			Scheme:         scheme,
			Host:           m.host,
			Path:           m.path,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Scheme < out[j].Scheme })
	return out
}

// serverScheme is http or https for servers that carry HTTP routes, else "".
func serverScheme(s *apinet.Server) string {
	switch strings.ToUpper(s.GetPort().GetProtocol()) {
	case "HTTP", "HTTP2":
		return "http"
	case "HTTPS":
		if s.GetTls() != nil && s.GetTls().GetMode() == apinet.ServerTLSSettings_PASSTHROUGH {
			return ""
		}
		return "https"
	}
	return ""
}

// serverAccepts is true when one of the server's hosts ([ns/]host, maybe a
// *. wildcard) matches host.
func serverAccepts(s *apinet.Server, host string) bool {
	for _, h := range s.Hosts {
		if _, after, ok := strings.Cut(h, "/"); ok {
			h = after
		}
		if hostMatches(h, host) || hostMatches(host, h) {
			return true
		}
	}
	return false
}

func hostMatches(pattern, host string) bool {
	switch {
	case pattern == "*" || pattern == host:
		return true
	case strings.HasPrefix(pattern, "*."):
		return strings.HasSuffix(host, pattern[1:])
	}
	return false
}

// HostHeader is the Host header a request needs for a route host: "" for
// "*", and a concrete name for a wildcard such as *.example.com.
func HostHeader(host string) string {
	switch {
	case host == "*" || host == "":
		return ""
	case strings.HasPrefix(host, "*."):
		return "test" + host[1:]
	}
	return host
}
