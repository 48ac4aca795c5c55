package portforward

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"sort"
	"strings"
)

// LocalSuffix is what a route host is served under by a proxy of many
// hosts: shop.example.com at http://shop.example.com.localhost:PORT.
// Browsers resolve every *.localhost name to the loopback (RFC 6761)
// without asking DNS.
const LocalSuffix = ".localhost"

// Site is one route host a proxy of many hosts serves.
type Site struct {
	// Host is the route host: a name, "*.example.com" (any name under it,
	// sent as the browser asked for it) or "*" (any host: served at
	// localhost and 127.0.0.1, with the client's Host).
	Host string
	// Target reaches the gateway for Host; its Host field is ignored.
	Target Target
	// Transport carries the requests (nil: NewTransport(Target)); sites
	// reached the same way share one.
	Transport http.RoundTripper
}

// LocalName is the name a site is browsed at: HOST.localhost, localhost
// for "*".
func LocalName(host string) string {
	if host == "*" || host == "" {
		return "localhost"
	}
	return strings.ToLower(host) + LocalSuffix
}

// Sites proxies each request to the site its Host names (HOST.localhost
// → HOST), and rewrites the answers' Location and Set-Cookie domains that
// name a site back to its local name, so that redirects and cookies
// between the sites stay in the proxy. A Host that names no site gets 421
// with the list of local URLs (a web page reaching the cluster through
// DNS rebinding names its own host).
type Sites struct {
	port  string // the proxy's port, in the local names it writes
	self  []string
	exact map[string]*site // by route host
	wild  []*site          // "*.suffix", longest suffix first
	any   *site            // "*"
}

type site struct {
	host   string // route host
	scheme string // to the gateway
	proxy  *httputil.ReverseProxy
}

// NewSites serves sites on a proxy listening on port, whose own names
// (127.0.0.1:PORT, localhost:PORT) are self.
func NewSites(sites []Site, port string, self []string) *Sites {
	s := &Sites{port: port, self: self, exact: map[string]*site{}}
	for _, st := range sites {
		scheme := "http"
		if st.Target.HTTPS {
			scheme = "https"
		}
		x := &site{host: strings.ToLower(st.Host), scheme: scheme}
		tr := st.Transport
		if tr == nil {
			tr = NewTransport(st.Target)
		}
		// proxy's ReverseProxy, with the Host of the site asked for and
		// the rewrites back to the local names.
		x.proxy = NewReverseProxy(st.Target, tr)
		x.proxy.Rewrite = func(pr *httputil.ProxyRequest) {
			rewrite(pr, scheme, s.upstreamHost(x, pr.In.Host))
			s.rewriteOrigin(pr.Out.Header)
		}
		x.proxy.ModifyResponse = func(resp *http.Response) error {
			s.rewriteAnswer(resp)
			return nil
		}
		switch {
		case x.host == "*":
			s.any = x
		case strings.HasPrefix(x.host, "*."):
			s.wild = append(s.wild, x)
		default:
			s.exact[x.host] = x
		}
	}
	sort.SliceStable(s.wild, func(i, j int) bool { return len(s.wild[i].host) > len(s.wild[j].host) })
	return s
}

// upstreamHost is the Host sent for a request to x with local Host in: a
// wildcard site sends the name asked for, "*" the client's.
func (s *Sites) upstreamHost(x *site, in string) string {
	switch {
	case x == s.any:
		return ""
	case strings.HasPrefix(x.host, "*."):
		return strings.TrimSuffix(strings.ToLower(hostOnly(in)), LocalSuffix)
	}
	return x.host
}

// lookup is the site of a route host (not of a local name).
func (s *Sites) lookup(host string) *site {
	host = strings.ToLower(host)
	if x, ok := s.exact[host]; ok {
		return x
	}
	for _, x := range s.wild {
		if strings.HasSuffix(host, x.host[1:]) && len(host) > len(x.host)-1 {
			return x
		}
	}
	return nil
}

// siteOf is the site a request's Host names, nil for none.
func (s *Sites) siteOf(hostport string) *site {
	name := strings.ToLower(hostOnly(hostport))
	if name == "localhost" || s.isSelf(hostport) {
		return s.any
	}
	if route, ok := strings.CutSuffix(name, LocalSuffix); ok {
		return s.lookup(route)
	}
	return nil
}

func (s *Sites) isSelf(hostport string) bool {
	for _, n := range s.self {
		if strings.EqualFold(n, hostport) || strings.EqualFold(hostOnly(n), hostport) {
			return true
		}
	}
	return false
}

func (s *Sites) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if x := s.siteOf(r.Host); x != nil {
		x.proxy.ServeHTTP(w, r)
		return
	}
	refuse(w, http.StatusMisdirectedRequest, fmt.Sprintf("Host %q names no route host: browse one of %s", r.Host, strings.Join(s.URLs(), ", ")))
}

// URLs are the local URLs of the sites, sorted ("*" first, at localhost).
func (s *Sites) URLs() []string {
	var out []string
	if s.any != nil {
		out = append(out, s.localURL("*"))
	}
	var names []string
	for h := range s.exact {
		names = append(names, h)
	}
	for _, x := range s.wild {
		names = append(names, x.host)
	}
	sort.Strings(names)
	for _, h := range names {
		out = append(out, s.localURL(h))
	}
	return out
}

// localURL is http://LOCALNAME:PORT of a route host.
func (s *Sites) localURL(host string) string {
	return "http://" + LocalName(host) + ":" + s.port
}
