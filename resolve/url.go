package resolve

import (
	"net"
	"strconv"
)

// URL is scheme://host[:port] with the scheme's default port (80 for http,
// 443 for https) left out; IPv6 hosts are bracketed.
func (e Endpoint) URL() string {
	if (e.Scheme == "http" && e.Port == 80) || (e.Scheme == "https" && e.Port == 443) {
		h := e.Host
		if net.ParseIP(h) != nil && net.ParseIP(h).To4() == nil {
			h = "[" + h + "]"
		}
		return e.Scheme + "://" + h
	}
	return e.Scheme + "://" + net.JoinHostPort(e.Host, strconv.Itoa(int(e.Port)))
}

// HostPort is host:port, always with the port (for GATEWAY_URL and curl
// --resolve).
func (e Endpoint) HostPort() string {
	return net.JoinHostPort(e.Host, strconv.Itoa(int(e.Port)))
}
