// Package rules is the one place that knows how Istio reads the objects the
// tool writes and reads: host and wildcard matching with the "ns/" scoping
// of Gateway server hosts, gateway references, which server of a Gateway
// serves which host and port, destination host names, path matches and
// their precedence, and how VirtualServices merge into the virtual hosts
// of a gateway (which route shadows which). It is pure: objects in,
// verdicts out. Each rule cites where Istio states it.
package rules

import "strings"

// HostCovers is true when every name host b stands for is one of a's:
// equal hosts, "*", or a "*.suffix" wildcard over b (a wildcard covers
// the narrower wildcards below it). Hosts compare case-insensitively, as
// Envoy matches the Host header against a virtual host's domains.
func HostCovers(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	switch {
	case a == b || a == "*":
		return true
	case strings.HasPrefix(a, "*.") && b != "*":
		return strings.HasSuffix(strings.TrimPrefix(b, "*"), a[1:])
	}
	return false
}

// HostsOverlap is true when some name is both a's and b's: one covers the
// other (Istio's host.Name.Matches).
func HostsOverlap(a, b string) bool { return HostCovers(a, b) || HostCovers(b, a) }

// Narrower is, of two overlapping hosts, the one that covers the other's
// names the least: the name Istio gives the virtual host of a
// VirtualService host joining a server host.
func Narrower(a, b string) string {
	if HostCovers(b, a) {
		return a
	}
	return b
}

// ServerHost is one entry of a Gateway server's hosts, "[namespace/]host".
type ServerHost struct {
	// Namespace is the part before "/": "*" (also when there is none),
	// "." (the Gateway's own namespace) or a namespace.
	Namespace string
	Host      string
}

// ParseServerHost reads a server hosts entry.
func ParseServerHost(entry string) ServerHost {
	if ns, h, ok := strings.Cut(entry, "/"); ok {
		return ServerHost{Namespace: ns, Host: h}
	}
	return ServerHost{Namespace: "*", Host: entry}
}

// Lets is true when the entry takes VirtualServices of namespace vsNS on a
// Gateway of namespace gwNS: "ns/host" only those of ns, "./host" only
// those of gwNS, "*/host" and "host" those of any namespace.
func (s ServerHost) Lets(vsNS, gwNS string) bool {
	ns := s.Namespace
	if ns == "." {
		ns = gwNS
	}
	return ns == "*" || ns == vsNS
}

// ServerHostServes is true when a server host entry (maybe "ns/host")
// accepts requests for every name of host, whatever its namespace part:
// see ServerHostAdmits for which VirtualServices it takes.
func ServerHostServes(entry, host string) bool {
	return HostCovers(ParseServerHost(entry).Host, host)
}

// ServerHostAdmits is true when a server host entry of a Gateway of
// namespace gwNS serves host for a VirtualService of namespace vsNS.
func ServerHostAdmits(entry, host, vsNS, gwNS string) bool {
	sh := ParseServerHost(entry)
	return sh.Lets(vsNS, gwNS) && HostCovers(sh.Host, host)
}

// VirtualHostNames are the virtual hosts a VirtualService host h of
// namespace vsNS joins on a server with hosts entries of a Gateway in gwNS:
// one per entry that lets vsNS in and overlaps h, named after the narrower
// of the two and lower-cased.
func VirtualHostNames(entries []string, gwNS, vsNS, h string) []string {
	var out []string
	for _, e := range entries {
		sh := ParseServerHost(e)
		if !sh.Lets(vsNS, gwNS) || !HostsOverlap(sh.Host, h) {
			continue
		}
		vh := strings.ToLower(Narrower(h, sh.Host))
		if !contains(out, vh) {
			out = append(out, vh)
		}
	}
	return out
}

// HostHeader is a Host header a request needs for a route host: "" for
// "*" (any will do), and a concrete name for a wildcard such as
// *.example.com (test.example.com).
func HostHeader(host string) string {
	switch {
	case host == "*" || host == "":
		return ""
	case strings.HasPrefix(host, "*."):
		return "test" + host[1:]
	}
	return host
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
