package check

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// Who answered a request (the -o json contract's answeredBy).
const (
	ByApplication = "application"
	ByGateway     = "gateway"
	ByNone        = "none"
)

// The flags of a gateway's own answer: Envoy's response flags, or what
// kept an HTTP answer from coming at all.
const (
	FlagNoRoute      = "NR" // no route for the request: 404
	FlagNoCluster    = "NC" // the route's cluster does not exist (no such Service or port)
	FlagNoHealthy    = "UH" // the cluster has no healthy endpoint: no ready pods
	FlagUpstreamFail = "UF" // the connection to the pod failed
	FlagRefused      = "refused"
	FlagTLS          = "tls"
)

// flagWords say a flag in words.
var flagWords = map[string]string{
	FlagNoRoute:      "no route",
	FlagNoCluster:    "no cluster for the route's destination",
	FlagNoHealthy:    "no healthy upstream",
	FlagUpstreamFail: "upstream connection failure",
	FlagRefused:      "connection refused: nothing listens on that port",
	FlagTLS:          "TLS handshake failed",
}

// upstreamTime is the header Envoy's router adds to an upstream's answer
// (unless told not to): present, the gateway forwarded the request.
const upstreamTime = "X-Envoy-Upstream-Service-Time"

// Classify says who answered: the application when Envoy forwarded the
// request (x-envoy-upstream-service-time), else the gateway itself, with
// Envoy's response flag read from the status and the body Envoy sends
// with it; with no HTTP answer, why (refused, TLS). A redirect or direct
// response of a route is the gateway's answer without a flag.
// handshakeFailed: a TLS handshake began and did not complete (the
// gateway closes the connection when it has no certificate for the SNI).
func Classify(status int, h http.Header, body string, err error, handshakeFailed bool) (by, flag string) {
	if err != nil {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED), strings.Contains(err.Error(), "connection refused"):
			return ByNone, FlagRefused
		case handshakeFailed, isTLS(err):
			return ByNone, FlagTLS
		}
		return ByNone, ""
	}
	body = strings.TrimSpace(body)
	if h.Get(upstreamTime) != "" {
		// Forwarded. An Envoy local reply from upstream is the pod's
		// sidecar answering for an application that does not.
		if status == http.StatusServiceUnavailable {
			switch f := localReplyFlag(body); f {
			case FlagNoHealthy, FlagUpstreamFail:
				return ByApplication, f
			}
		}
		return ByApplication, ""
	}
	switch {
	case status == http.StatusNotFound && body == "":
		return ByGateway, FlagNoRoute
	case status != http.StatusServiceUnavailable && status != http.StatusInternalServerError:
		return ByGateway, ""
	}
	return ByGateway, localReplyFlag(body)
}

// localReplyFlag reads the flag of an Envoy local reply from its body: no
// healthy upstream, a failed upstream connection, none (no cluster).
func localReplyFlag(body string) string {
	switch {
	case body == "no healthy upstream":
		return FlagNoHealthy
	case strings.HasPrefix(body, "upstream connect error"):
		return FlagUpstreamFail
	case body == "":
		return FlagNoCluster
	}
	return ""
}

// isTLS is a failed TLS handshake: an alert from the gateway, or the
// connection closed during the handshake (Envoy has no certificate or no
// filter chain for the SNI).
func isTLS(err error) bool {
	var alert tls.AlertError
	var rec tls.RecordHeaderError
	var cert *tls.CertificateVerificationError
	var op *net.OpError
	switch {
	case errors.As(err, &alert), errors.As(err, &rec), errors.As(err, &cert):
		return true
	case errors.As(err, &op) && op.Op == "remote error":
		return true
	}
	return strings.Contains(err.Error(), "tls: ")
}
