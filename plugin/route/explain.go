package route

import (
	"fmt"
	"net/http"
)

// The outcomes of explain (its -o json contract).
const (
	OutcomeRouted         = "routed"
	OutcomeRedirected     = "redirected"
	OutcomeDirectResponse = "direct-response"
	OutcomeNotFound       = "not-found"
	OutcomeUnavailable    = "unavailable"
	OutcomeNoServer       = "no-server"
)

// ExplainInput is one request to explain, as the user would send it.
type ExplainInput struct {
	URL    string // as given
	Scheme string // http or https
	Host   string // the host of the Host header (and the SNI for https), no port
	// Authority is the Host header as sent (with the URL's port when it
	// names one): what redirects keep and :authority matches see.
	Authority string
	Port      int // the port the URL names
	Path      string
	Query     string
	Method    string
	Header    http.Header
	// Gateway names the Gateway (Gateway API) or the Gateway whose
	// selector picks the gateway (Istio API); Selector is
	// --gateway-selector.
	Gateway  *ObjectRef
	Selector map[string]string
}

// Explanation is what the gateway does with one request: explain's
// answer, printed as text or as the -o json/yaml object.
type Explanation struct {
	URL      string            `json:"url"`
	Outcome  string            `json:"outcome"`
	Status   int               `json:"status"`
	Gateway  ExplainGateway    `json:"gateway"`
	Server   *ExplainServer    `json:"server,omitempty"`
	Route    *ExplainRoute     `json:"route,omitempty"`
	Backend  *ExplainBackend   `json:"backend,omitempty"`
	Redirect string            `json:"redirect,omitempty"`
	Shadowed []ExplainShadowed `json:"shadowed"`
	Reason   string            `json:"reason"`
	Fix      string            `json:"fix,omitempty"`
	// Live is what the running gateway does with the request (--live).
	Live *ExplainLive `json:"live,omitempty"`
	// Hops are the text output's lines, one per hop.
	Hops []string `json:"-"`
}

// ExplainGateway is the gateway Service port the request reaches.
type ExplainGateway struct {
	Namespace  string `json:"namespace"`
	Service    string `json:"service"`
	Port       int32  `json:"port"`
	TargetPort int32  `json:"targetPort"`
	NodePort   int32  `json:"nodePort,omitempty"` // when the URL named the NodePort
}

// ExplainServer is the Istio Gateway server or Gateway API listener that
// serves the request.
type ExplainServer struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
	Index      *int   `json:"index,omitempty"`
	Listener   string `json:"listener,omitempty"`
}

// ExplainRoute is the rule that took the request.
type ExplainRoute struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Rule      int    `json:"rule"`
	Match     string `json:"match"`
	// EnvoyRoute is the name pilot gives the rule's Envoy route (what
	// --live compares).
	EnvoyRoute string `json:"-"`
}

// ExplainBackend is where the request goes.
type ExplainBackend struct {
	Host           string `json:"host"`
	Port           int32  `json:"port"`
	Path           string `json:"path"`
	ReadyEndpoints int    `json:"readyEndpoints"`
}

// ExplainLive is the request walked through what a gateway pod runs
// (Envoy's /config_dump), and whether that agrees with the objects.
type ExplainLive struct {
	Pod         string `json:"pod"`
	Listener    string `json:"listener,omitempty"`
	RouteConfig string `json:"routeConfig,omitempty"`
	VirtualHost string `json:"virtualHost,omitempty"`
	// Route names the Envoy route that takes it: its name and the object
	// pilot made it from (route metadata).
	Route  string `json:"route,omitempty"`
	Config string `json:"config,omitempty"`
	// Action is what the route does: "cluster outbound|80||HOST",
	// "redirect", "direct response 500".
	Action string `json:"action,omitempty"`
	// Stop is where the walk ends without a route, and why.
	Stop       string `json:"stop,omitempty"`
	Agrees     bool   `json:"agrees"`
	Difference string `json:"difference,omitempty"`
}

// ExplainShadowed is a rule that also matches the request but loses.
type ExplainShadowed struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Rule      int    `json:"rule"`
	Reason    string `json:"reason"`
}

// Answered is whether the outcome is one explain exits 0 for: routed,
// redirected or a direct response.
func (e *Explanation) Answered() bool {
	switch e.Outcome {
	case OutcomeRouted, OutcomeRedirected, OutcomeDirectResponse:
		return true
	}
	return false
}

// Hop adds a line of the text output.
func (e *Explanation) Hop(format string, a ...any) {
	e.Hops = append(e.Hops, fmt.Sprintf(format, a...))
}
