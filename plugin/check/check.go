// Package check sends one request per route through the ingress gateway,
// the way `proxy` reaches it, and says who answered: the route's
// application, another Service's, or the gateway itself and why (the
// `explain` verdict). `url --check` prints it; `expose --wait` polls it.
package check

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/diagnose"
	"github.com/expose-gw/kubectl-expose-gw/plugin/dial"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	"github.com/expose-gw/kubectl-expose-gw/portforward"
)

// Item is the check of one route URL (an item of -o json).
type Item struct {
	URL  string `json:"url"`
	Host string `json:"host"`
	Via  string `json:"via"`
	// Status is the HTTP status, 0 when no HTTP answer came.
	Status     int    `json:"status"`
	AnsweredBy string `json:"answeredBy"`
	Flag       string `json:"flag"`
	MS         int64  `json:"ms"`
	// Service is the Service the route is for (NAMESPACE/NAME); Reached
	// the one the gateway sends the request to, by Istio's rules.
	Service string `json:"service"`
	Reached string `json:"reached"`
	// Explain is explain's verdict, when the gateway answered or the
	// request reached another Service.
	Explain *route.Explanation `json:"explain,omitempty"`
	// Error is why no HTTP answer came, or why the check could not run.
	Error string `json:"error,omitempty"`
	// OK: the route's own application answered.
	OK bool `json:"ok"`

	// own is the route's object, NAMESPACE/NAME: a rule of another
	// object that takes the request shadows it.
	own string
}

// Target is one route to check.
type Target struct {
	API   apis.API
	Route route.Route
	// Service is the route's Service, NAMESPACE/NAME; Input what proxy
	// would ask of the API to reach it.
	Service string
	Input   route.ProxyInput
}

// Checker checks targets, keeping one way to each gateway port open
// across them (and across the rounds of expose --wait).
type Checker struct {
	Clients *kube.Clients
	Via     string
	// Say gets how each gateway is reached (nil: quiet).
	Say func(string)
	// Timeout bounds one request (default 10s).
	Timeout time.Duration

	ways map[string]*way
}

// way is an open way to one gateway port: its client, and the gateway
// Service port it reaches (explain's port through a port-forward).
type way struct {
	gw          *dial.Gateway
	client      *http.Client
	servicePort int32
}

// Close ends the port-forwards and the connections kept alive.
func (c *Checker) Close() {
	for _, w := range c.ways {
		w.client.CloseIdleConnections()
		w.gw.Close()
	}
	c.ways = nil
}

// Check sends one request for t and says who answered.
func (c *Checker) Check(ctx context.Context, t Target) Item {
	r := t.Route
	it := Item{Host: r.Host, Service: t.Service, URL: r.Scheme + "://" + urlHost(r.Host) + r.Path, own: r.VirtualService + r.HTTPRoute}
	w, err := c.way(ctx, t)
	if err != nil {
		it.AnsweredBy, it.Error = ByNone, err.Error()
		return it
	}
	it.Via = w.gw.Via
	port := int(w.servicePort)
	if ep := w.gw.Endpoint; ep != nil {
		it.URL = ep.URL() + r.Path
		port = int(ep.Port)
	}
	host := rules.HostHeader(r.Host)
	if host == "" {
		host = "check.invalid" // any host: a "*" route takes it
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.Scheme+"://"+host+r.Path, nil)
	if err != nil {
		it.AnsweredBy, it.Error = ByNone, err.Error()
		return it
	}
	var handshakeFailed atomic.Bool // set on the transport's dialing goroutine
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) { handshakeFailed.Store(err != nil) },
	}))
	start := time.Now()
	resp, err := w.client.Do(req)
	it.MS = time.Since(start).Milliseconds()
	var body []byte
	if err == nil {
		it.Status = resp.StatusCode
		body, _ = io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
	} else {
		it.Error = err.Error()
	}
	var h http.Header
	if resp != nil {
		h = resp.Header
	}
	it.AnsweredBy, it.Flag = Classify(it.Status, h, string(body), err, handshakeFailed.Load())
	e, err := t.API.Explain(ctx, c.explainInput(t, host, port))
	if err != nil {
		it.Error = joinErr(it.Error, "explain: "+err.Error())
	} else if e.Outcome == route.OutcomeRouted && e.Backend != nil {
		it.Reached = serviceName(e.Backend.Host)
		if it.AnsweredBy == ByGateway && it.Flag == "" && it.Status != 0 {
			// A forwarding route's gateway answers only with its local
			// replies (flagged above): anything else came from upstream,
			// with x-envoy-upstream-service-time suppressed
			// (meshConfig proxyHeaders.envoyDebugHeaders disabled).
			it.AnsweredBy = ByApplication
		}
	}
	it.OK = it.AnsweredBy == ByApplication && it.Flag == "" && it.Reached == it.Service
	if !it.OK {
		it.Explain = e
	}
	return it
}

// explainInput is the request sent, for explain: the gateway's port as
// the URL names it (an outside port, a NodePort) or, through a
// port-forward, the gateway Service port the route is reached on.
func (c *Checker) explainInput(t Target, host string, port int) *route.ExplainInput {
	r := t.Route
	sel := r.Selector
	if t.Input.Selector != nil {
		sel = t.Input.Selector // --gateway-selector chose the gateway reached
	}
	in := &route.ExplainInput{URL: r.Scheme + "://" + host + r.Path, Scheme: r.Scheme, Host: host, Authority: host,
		Port: port, Path: r.Path, Method: http.MethodGet, Header: http.Header{}, Selector: sel}
	if r.HTTPRoute != "" {
		if ref, err := route.ParseGatewayRef(r.Gateway, ""); err == nil {
			in.Gateway = &ref
		}
	}
	return in
}

// way opens (once per API, gateway, port and scheme) the way to the
// gateway of t, as proxy would.
func (c *Checker) way(ctx context.Context, t Target) (*way, error) {
	r := t.Route
	key := t.API.Name() + " " + r.Gateway + " " + r.Scheme + " " + strconv.Itoa(int(r.ServerPort)) + " " + r.Listener
	if w, ok := c.ways[key]; ok {
		return w, nil
	}
	in := t.Input
	in.HTTPS = r.Scheme == "https"
	in.ViaAuto = c.Via == dial.ViaAuto
	rch, err := t.API.Reach(ctx, []route.Route{r}, in)
	if err != nil {
		return nil, err
	}
	gw, err := dial.Open(ctx, dial.Options{Via: c.Via, Scheme: r.Scheme, Clients: c.Clients, Say: c.Say}, rch)
	if err != nil {
		return nil, err
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	tr := portforward.NewTransport(portforward.Target{Host: rules.HostHeader(r.Host), HTTPS: in.HTTPS,
		// Who answers is the question, not whose certificate: the
		// handshake itself failing is what is reported.
		TLS:  &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // a probe, says nothing is trusted
		Dial: gw.Dial})
	w := &way{gw: gw, servicePort: rch.ServicePort, client: &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if c.ways == nil {
		c.ways = map[string]*way{}
	}
	c.ways[key] = w
	return w, nil
}

// serviceName is NAMESPACE/NAME of a cluster Service host, else the host.
func serviceName(host string) string {
	if ns, name, ok := diagnose.ServiceOf(host); ok {
		return ns + "/" + name
	}
	return host
}

// urlHost is a route host in a URL ("*": any, written as a placeholder).
func urlHost(h string) string {
	if h == "" || h == "*" {
		return "HOST"
	}
	return h
}

func joinErr(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// Verdict says in words who answered it.
func (it Item) Verdict() string {
	switch {
	case it.AnsweredBy == ByApplication && it.OK:
		return fmt.Sprintf("answered by %s", it.Service)
	case it.AnsweredBy == ByApplication && it.Flag != "":
		return fmt.Sprintf("the pod's sidecar answered: %s (%s): the application does not answer", flagWords[it.Flag], it.Flag)
	case it.AnsweredBy == ByApplication && it.Reached != "":
		return fmt.Sprintf("answered by %s, not %s", it.Reached, it.Service)
	case it.AnsweredBy == ByApplication:
		return fmt.Sprintf("answered by an application, but by the objects Istio should not route it to %s", it.Service)
	case it.AnsweredBy == ByGateway && it.Flag != "":
		return fmt.Sprintf("the gateway answered itself: %s (%s)", flagWords[it.Flag], it.Flag)
	case it.AnsweredBy == ByGateway:
		return "the gateway answered itself"
	case it.Flag != "":
		return fmt.Sprintf("no answer: %s", flagWords[it.Flag])
	}
	return "no answer"
}
