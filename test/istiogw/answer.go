package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	router "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
)

// envoyHeaders is how the HTTP connection manager Istio configured on a
// filter chain shapes the answers: the server name it writes (Istio's
// "istio-envoy"), what it does with an upstream's own server header, and
// whether its router adds x-envoy-upstream-service-time.
type envoyHeaders struct {
	server   string
	mode     hcm.HttpConnectionManager_ServerHeaderTransformation
	suppress bool
}

// headersOf reads them from the connection manager (nil: Envoy's defaults).
func headersOf(h *hcm.HttpConnectionManager) envoyHeaders {
	e := envoyHeaders{server: h.GetServerName(), mode: h.GetServerHeaderTransformation()}
	if e.server == "" {
		e.server = "envoy" // Envoy's default server_name
	}
	for _, f := range h.GetHttpFilters() {
		r := &router.Router{}
		if tc := f.GetTypedConfig(); tc != nil && tc.MessageIs(r) && tc.UnmarshalTo(r) == nil {
			e.suppress = r.GetSuppressEnvoyHeaders()
		}
	}
	return e
}

// localBody is the body Envoy sends with its own answers: none for a
// missing route or cluster and for redirects, its fixed texts for no
// healthy upstream and a failed upstream connection, a direct response's.
func localBody(d Decision) string {
	switch d.Reason {
	case "no_healthy_upstream":
		return "no healthy upstream"
	case "upstream_connect_error":
		// Envoy's words after Istio's default retries (connect-failure).
		return "upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure, transport failure reason: delayed connect error: Connection refused"
	case "direct_response":
		return d.Body
	case "listener_removed":
		return "listener removed" // the test gateway's own: a chain gone mid-connection
	}
	return ""
}

// reply is Envoy answering itself: a 404 for route_not_found, a redirect, a
// direct response, a 503, with Envoy's server header and bodies. What Istio
// decided is in a header for tests (never read by the plugin).
func (e envoyHeaders) reply(w http.ResponseWriter, d Decision) {
	b, _ := json.Marshal(d)
	h := w.Header()
	h.Set("X-Istiogw-Decision", string(b))
	h.Set("Server", e.server)
	if d.Location != "" {
		h.Set("Location", d.Location)
	}
	body := localBody(d)
	if body != "" {
		h.Set("Content-Type", "text/plain")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(d.Status)
	fmt.Fprint(w, body)
}

// forwarded shapes an upstream's answer as Envoy's router and connection
// manager do: x-envoy-upstream-service-time (unless suppressed) and the
// server header overwritten, kept, or added when absent.
func (e envoyHeaders) forwarded(h http.Header, took time.Duration) {
	if !e.suppress {
		h.Set("X-Envoy-Upstream-Service-Time", strconv.FormatInt(took.Milliseconds(), 10))
	}
	switch e.mode {
	case hcm.HttpConnectionManager_OVERWRITE:
		h.Set("Server", e.server)
	case hcm.HttpConnectionManager_APPEND_IF_ABSENT:
		if h.Get("Server") == "" {
			h.Set("Server", e.server)
		}
	case hcm.HttpConnectionManager_PASS_THROUGH:
	}
}
