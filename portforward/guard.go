package portforward

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Guard keeps the proxy from being an open proxy: HTTP/2 in clear text
// (h2c) is refused with 400 or 505, CONNECT with 405, and an absolute-form request (GET http://host/...) is refused with
// 403 unless it names the proxy itself or the route host. When hosts is not
// nil, a request whose Host header is not one of them is refused with 421:
// with a fixed route host that stops a web page from reaching the cluster
// through DNS rebinding.
type Guard struct {
	// Self are the proxy's own host:port names (127.0.0.1:8080, localhost:8080).
	Self []string
	// RouteHost is the host the requests are sent with ("" for "*" routes).
	RouteHost string
	// CheckHost refuses Host headers other than Self and RouteHost.
	CheckHost bool
	Next      http.Handler
}

func (g *Guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// h2c would carry HTTP/2 requests past the Host checks below: the
	// gateway would read them on a connection the proxy only splices.
	// The prior-knowledge preface ("PRI * HTTP/2.0") is a protocol version
	// this server does not speak: 505 HTTP Version Not Supported. An
	// HTTP/1.1 request asking to upgrade to h2c is refused with 400 rather
	// than 426: 426 means "upgrade to the protocol in my Upgrade header",
	// and there is none to offer; the request is at fault, and a plain
	// HTTP/1.1 retry (without Upgrade: h2c) is served.
	if r.ProtoMajor == 2 && r.Method == "PRI" {
		w.Header().Set("Connection", "close")
		refuse(w, http.StatusHTTPVersionNotSupported, "HTTP/2 (prior knowledge) is refused: send HTTP/1.1 requests")
		return
	}
	if upgradesTo(r.Header, "h2c") {
		w.Header().Set("Connection", "close")
		refuse(w, http.StatusBadRequest, "Upgrade: h2c is refused: HTTP/2 would bypass the proxy's Host checks, send HTTP/1.1 requests without it")
		return
	}
	if r.Method == http.MethodConnect {
		w.Header().Set("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
		refuse(w, http.StatusMethodNotAllowed, "CONNECT is refused: this is not an open proxy, send plain requests to the proxy's address")
		return
	}
	if r.URL.IsAbs() || !strings.HasPrefix(r.RequestURI, "/") {
		if !g.allowed(r.URL.Host) {
			refuse(w, http.StatusForbidden, fmt.Sprintf("absolute-form request for %q is refused: this is not an open proxy, it only reaches the ingress gateway", r.URL.Host))
			return
		}
	} else if g.CheckHost && !g.allowed(r.Host) {
		refuse(w, http.StatusMisdirectedRequest, fmt.Sprintf("Host %q is refused: use the address the proxy printed (%s)", r.Host, strings.Join(g.Self, " or ")))
		return
	}
	g.Next.ServeHTTP(w, r)
}

// upgradesTo is true when one of the Upgrade header's protocols is proto
// (a version after a slash, h2c/1, counts too).
func upgradesTo(h http.Header, proto string) bool {
	for _, v := range h.Values("Upgrade") {
		for _, p := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(p), "/")
			if strings.EqualFold(name, proto) {
				return true
			}
		}
	}
	return false
}

// allowed is true for the proxy's own names and the route host, with or
// without a port.
func (g *Guard) allowed(host string) bool {
	h := strings.ToLower(host)
	for _, s := range g.Self {
		if h == strings.ToLower(s) {
			return true
		}
	}
	if g.RouteHost == "" {
		return false
	}
	return strings.EqualFold(hostOnly(h), g.RouteHost) || strings.EqualFold(h, g.RouteHost)
}

func refuse(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintf(w, "expose-gw proxy: %s\n", msg)
}

// SelfNames are the host:port names a client may use for a proxy listening
// on addr: the address itself and, on loopback, localhost.
func SelfNames(addr net.Addr) []string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return []string{addr.String()}
	}
	port := fmt.Sprint(tcp.Port)
	names := []string{net.JoinHostPort(tcp.IP.String(), port)}
	if tcp.IP.IsLoopback() {
		names = append(names, net.JoinHostPort("localhost", port))
		if tcp.IP.To4() != nil {
			names = append(names, net.JoinHostPort("127.0.0.1", port))
		}
	}
	return dedupe(names)
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
