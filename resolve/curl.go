package resolve

import (
	"fmt"
	"net"
	"strings"
)

// Curl is the command line that sends a request for path on host (the
// route's Host header; "" when any host does) to the gateway at ep. Over
// HTTPS the name must be in the URL, for SNI: curl is told where it lives
// (--resolve for an IP address, --connect-to for a load balancer's name).
func Curl(ep Endpoint, host, path string) string {
	url := ep.URL() + path
	switch {
	case host == "":
		return "curl " + ShellQuote(url)
	case ep.Scheme == "https":
		u := Endpoint{Scheme: "https", Host: host, Port: ep.Port}.URL() + path
		if net.ParseIP(ep.Host) != nil {
			return fmt.Sprintf("curl --resolve %s %s", ShellQuote(fmt.Sprintf("%s:%d:%s", host, ep.Port, ep.Host)), ShellQuote(u))
		}
		return fmt.Sprintf("curl --connect-to %s %s", ShellQuote(fmt.Sprintf("%s:%d:%s:%d", host, ep.Port, ep.Host, ep.Port)), ShellQuote(u))
	}
	return fmt.Sprintf("curl -H %s %s", ShellQuote("Host: "+host), ShellQuote(url))
}

// ShellQuote quotes s for sh when it holds anything but safe characters.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
