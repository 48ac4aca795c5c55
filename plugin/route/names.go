package route

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"strings"
)

// GatewayName is the tool's own Gateway name for a selector.
func GatewayName(sel map[string]string) string {
	if maps.Equal(sel, map[string]string{"istio": "ingressgateway"}) {
		return DefaultGatewayName
	}
	return Shorten(DefaultGatewayName+"-"+Slug(FormatSelector(sel)), 63)
}

// HostGatewayName is the tool's own Gateway, for the selector sel, of an
// HTTPS host that the "*" route of the tool's Gateway of sel
// (GatewayName) would shadow: that name, then -HOST with dashes for dots
// (a VirtualService names Gateways by NAME or NAMESPACE/NAME, and Istio
// refuses a dotted name there), a DNS-1123 label: expose-gw-HOST for the
// default selector.
func HostGatewayName(sel map[string]string, host string) string {
	return Shorten(GatewayName(sel)+"-"+Slug(hostSlug(host)), 63)
}

// VirtualServiceName is the tool's VirtualService name for a host on a
// gateway: expose-gw-HOST on the tool's default Gateway of the namespace,
// else expose-gw-HOST[-GWNAMESPACE]-GWNAME-HASH, HASH a short hash of the
// host and the gateway (namespace/name), so that no two hosts and gateways
// get one name ("a.com-x" on expose-gw, "a.com" on x). HOST is written by
// hostSlug. Names written by earlier versions (no HASH) stay in use: the
// plan finds a VirtualService by what it binds, not by its name.
func VirtualServiceName(host string, gw ObjectRef, ns string) string {
	return routeObjectName(DefaultGatewayName, host, gw, ns)
}

// HTTPRouteName is the tool's Gateway API HTTPRoute name for a Service and
// a host on a gateway, as VirtualServiceName with SERVICE in place of
// expose-gw: SERVICE-HOST on the tool's own Gateway of the namespace
// ("flaskapp-any" for "*"), else SERVICE-HOST[-GWNAMESPACE]-GWNAME-HASH.
func HTTPRouteName(service, host string, gw ObjectRef, ns string) string {
	return routeObjectName(service, host, gw, ns)
}

func routeObjectName(prefix, host string, gw ObjectRef, ns string) string {
	name := prefix + "-" + hostSlug(host)
	if gw.Name != DefaultGatewayName || gw.Namespace != ns {
		if gw.Namespace != ns {
			name += "-" + gw.Namespace
		}
		name += "-" + gw.Name + "-" + ShortHash(host+"\x00"+gw.Namespace+"/"+gw.Name)
	}
	return Shorten(name, 253)
}

// wildcardLabel stands for the "*" of a wildcard host in names, and
// escapeLabel marks a host whose first label could be read as one.
const (
	wildcardLabel = "any"
	escapeLabel   = "x--"
)

// hostSlug writes a host as a name part, one to one: "*" reads "any"
// ("*.example.com" is "any.example.com"), and a DNS name whose first label
// is "any" or starts with "x--" gets an "x--" in front ("any.example.com"
// is "x--any.example.com"), so no DNS name reads as a wildcard.
func hostSlug(host string) string {
	if host == "*" || strings.HasPrefix(host, "*.") {
		return wildcardLabel + host[1:]
	}
	first, _, _ := strings.Cut(host, ".")
	if first == wildcardLabel || strings.HasPrefix(first, escapeLabel) {
		return escapeLabel + host
	}
	return host
}

// HostSlug writes a host as a part of a name, as the tool's object names
// do ("*" is "any").
func HostSlug(host string) string { return hostSlug(host) }

// Slug keeps lower-case letters, digits and dashes.
func Slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

func Shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return strings.TrimRight(s[:max-9], "-.") + "-" + ShortHash(s)
}

// ShortHash is 8 hex digits of the SHA-256 of s.
func ShortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
