package route

import "strings"

// Route is one way a Service is exposed: a VirtualService HTTP route bound
// to a Gateway server, or an HTTPRoute rule attached to a Gateway API
// listener (url and proxy read them).
type Route struct {
	VirtualService string // namespace/name; "" for the Gateway API
	HTTPRoute      string // namespace/name; "" for the Istio API
	Gateway        string // namespace/name
	// Selector is the Gateway's workload selector (which ingress serves
	// it); nil for the Gateway API.
	Selector map[string]string
	// ServerPort is the Gateway server's (or listener's) port number,
	// Scheme http or https after its protocol.
	ServerPort uint32
	Scheme     string
	// Host is the virtual host the request must carry ("*": any): the
	// VirtualService host, or the narrower server host it joined.
	Host string
	// Path is the URI prefix or exact path the route matches ("/" when it
	// matches everything).
	Path string
	// Listener is the Gateway API listener's name ("" for the Istio API).
	Listener string
	// Credential is the name of the TLS Secret of an https route's server
	// (credentialName) or listener (its first certificateRef).
	Credential string
}

// ServesToolCertificate: r's certificate is one the tool's own CA signed
// (--tls self-signed), known by its Secret's name.
func (r Route) ServesToolCertificate() bool {
	return strings.HasPrefix(r.Credential, LeafSecretPrefix)
}

// OnGateway are the routes through Gateway ref.
func OnGateway(routes []Route, ref ObjectRef) []Route {
	var out []Route
	for _, r := range routes {
		if r.Gateway == ref.String() {
			out = append(out, r)
		}
	}
	return out
}
