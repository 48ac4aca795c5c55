package main

import (
	"strings"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// chainsFor filters a listener's filter chains for a connection: TLS or
// plain, then server names ranked as Envoy ranks them (exact, then the
// longest wildcard suffix, then chains without server names).
func chainsFor(l *listener.Listener, isTLS bool, sni string) []*listener.FilterChain {
	var byTransport []*listener.FilterChain
	for _, fc := range l.GetFilterChains() {
		tp := fc.GetFilterChainMatch().GetTransportProtocol()
		hasTLS := fc.GetTransportSocket() != nil
		switch {
		case tp == "tls" && !isTLS, tp == "raw_buffer" && isTLS:
			continue
		case tp == "" && hasTLS != isTLS:
			continue
		}
		byTransport = append(byTransport, fc)
	}
	best, bestRank := []*listener.FilterChain(nil), -1
	for _, fc := range byTransport {
		names := fc.GetFilterChainMatch().GetServerNames()
		rank := 0 // no server names: matches when nothing better does
		if len(names) > 0 {
			rank = -1
			for _, n := range names {
				switch {
				case strings.EqualFold(n, sni):
					rank = max(rank, 1<<20)
				case strings.HasPrefix(n, "*.") && sni != "" && strings.HasSuffix(strings.ToLower(sni), strings.ToLower(n[1:])):
					rank = max(rank, len(n))
				}
			}
			if rank < 0 {
				continue
			}
		}
		switch {
		case rank > bestRank:
			best, bestRank = []*listener.FilterChain{fc}, rank
		case rank == bestRank:
			best = append(best, fc)
		}
	}
	return best
}

// ChooseChain is the filter chain a connection lands on, or nil (Envoy
// closes the connection).
func ChooseChain(l *listener.Listener, isTLS bool, sni string) *listener.FilterChain {
	if cs := chainsFor(l, isTLS, sni); len(cs) > 0 {
		return cs[0]
	}
	if d := l.GetDefaultFilterChain(); d != nil && (d.GetTransportSocket() != nil) == isTLS {
		return d
	}
	return nil
}

// HasTLS is true when the listener terminates TLS on some chain.
func HasTLS(l *listener.Listener) bool {
	for _, fc := range l.GetFilterChains() {
		if fc.GetTransportSocket() != nil {
			return true
		}
	}
	return false
}

// Credentials are the SDS secret names a TLS chain needs
// ("kubernetes://NAME"), read from its DownstreamTlsContext.
func Credentials(fc *listener.FilterChain) []string {
	ts := fc.GetTransportSocket()
	if ts == nil {
		return nil
	}
	ctx := &tlsv3.DownstreamTlsContext{}
	if err := ts.GetTypedConfig().UnmarshalTo(ctx); err != nil {
		return nil
	}
	var out []string
	for _, s := range ctx.GetCommonTlsContext().GetTlsCertificateSdsSecretConfigs() {
		out = append(out, s.GetName())
	}
	return out
}

// HCM is the chain's HTTP connection manager, nil for TCP chains.
func HCM(fc *listener.FilterChain) *hcm.HttpConnectionManager {
	for _, f := range fc.GetFilters() {
		if tc, ok := f.GetConfigType().(*listener.Filter_TypedConfig); ok {
			h := &hcm.HttpConnectionManager{}
			if isType(tc.TypedConfig, h) && tc.TypedConfig.UnmarshalTo(h) == nil {
				return h
			}
		}
	}
	return nil
}

func isType(a *anypb.Any, h *hcm.HttpConnectionManager) bool {
	return strings.HasSuffix(a.GetTypeUrl(), string(h.ProtoReflect().Descriptor().FullName()))
}
