package check

import (
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// TestClassify reads who answered from what Envoy sends: its router's
// x-envoy-upstream-service-time on what it forwarded, its fixed bodies on
// its own answers.
func TestClassify(t *testing.T) {
	forwarded := http.Header{"X-Envoy-Upstream-Service-Time": {"3"}}
	cases := []struct {
		name            string
		status          int
		h               http.Header
		body            string
		err             error
		handshake       bool
		wantBy, wantFlg string
	}{
		{"the application's 200", 200, forwarded, "{}", nil, false, ByApplication, ""},
		{"the application's own 404", 404, forwarded, "", nil, false, ByApplication, ""},
		{"the application's own 503", 503, forwarded, "busy", nil, false, ByApplication, ""},
		{"the pod's sidecar: the application does not listen", 503, forwarded, "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure", nil, false, ByApplication, FlagUpstreamFail},
		{"the pod's sidecar: no healthy upstream", 503, forwarded, "no healthy upstream", nil, false, ByApplication, FlagNoHealthy},
		{"no route", 404, http.Header{}, "", nil, false, ByGateway, FlagNoRoute},
		{"no cluster", 503, http.Header{}, "", nil, false, ByGateway, FlagNoCluster},
		{"no cluster, Gateway API's 500", 500, http.Header{}, "", nil, false, ByGateway, FlagNoCluster},
		{"no healthy upstream", 503, http.Header{}, "no healthy upstream", nil, false, ByGateway, FlagNoHealthy},
		{"upstream connect failure", 503, http.Header{}, "upstream connect error or disconnect/reset before headers. reset reason: connection failure", nil, false, ByGateway, FlagUpstreamFail},
		{"a redirect", 301, http.Header{"Location": {"https://x/"}}, "", nil, false, ByGateway, ""},
		{"a direct response", 418, http.Header{}, "teapot", nil, false, ByGateway, ""},
		{"refused", 0, nil, "", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), false, ByNone, FlagRefused},
		{"handshake cut", 0, nil, "", errors.New("EOF"), true, ByNone, FlagTLS},
		{"handshake alert", 0, nil, "", errors.New("remote error: tls: handshake failure"), false, ByNone, FlagTLS},
		{"timeout", 0, nil, "", errors.New("context deadline exceeded"), false, ByNone, ""},
		{"a slow handshake is a timeout, not TLS", 0, nil, "", errors.New("net/http: TLS handshake timeout"), false, ByNone, ""},
	}
	for _, c := range cases {
		by, flag := Classify(c.status, c.h, c.body, c.err, c.handshake)
		assert.Equal(t, c.wantBy+" "+c.wantFlg, by+" "+flag, c.name)
	}
}

// TestDetailsNameTheShadowingRule: a request another object's rule takes
// names that rule, whoever answered.
func TestDetailsNameTheShadowingRule(t *testing.T) {
	e := &route.Explanation{Outcome: route.OutcomeUnavailable, Reason: "no Service team-b/static",
		Route: &route.ExplainRoute{Kind: "VirtualService", Namespace: "team-b", Name: "legacy", Rule: 0, Match: "prefix /s"}}
	it := Item{AnsweredBy: ByGateway, Flag: FlagNoCluster, Status: 503, Service: "default/shop", Explain: e, own: "default/expose-gw-shop.example.com"}
	assert.Equal(t, []string{"taken by: rule 0 of VirtualService team-b/legacy (prefix /s)", "explain: no Service team-b/static"}, Details(it))
	it.own = "team-b/legacy" // its own rule: nothing took it
	assert.Equal(t, []string{"explain: no Service team-b/static"}, Details(it))
}
