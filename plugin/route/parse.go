// Package model holds the pure logic of `kubectl expose-gw`: parsing flags,
// building the Istio Gateway and VirtualService, ordering and merging routes
// and planning the writes an expose or delete needs. Nothing here talks to
// a cluster.
package route

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// ParseService reads the SERVICE argument: NAME, svc/NAME, service/NAME or
// services/NAME.
func ParseService(arg string) (string, error) {
	name := arg
	if kind, rest, ok := strings.Cut(arg, "/"); ok {
		switch strings.ToLower(kind) {
		case "svc", "service", "services":
			name = rest
		default:
			return "", fmt.Errorf("invalid SERVICE %q: expected NAME or svc/NAME", arg)
		}
	}
	if errs := validation.IsDNS1035Label(name); len(errs) > 0 {
		return "", fmt.Errorf("invalid SERVICE %q: expected NAME or svc/NAME with a Service name (%s)", arg, errs[0])
	}
	return name, nil
}

// ParsePath checks a --prefix, --exact or --rewrite value (flag names it)
// with the rules the Gateway API's HTTPRoute CRD puts on a path match
// (its CEL rules on path.value for Exact and PathPrefix), for both APIs: a
// path starting with "/", of at most 1024 characters, of the characters
// of RFC 3986's path segments and %XX escapes, without "//", an escaped
// "/" (%2f), or "." and ".." segments. The CRD refuses these for the
// Gateway API; for the Istio API they are refused too, so that one
// request means the same with both (and "." and ".." segments, which
// Istio's gateways resolve before matching, would never match).
func ParsePath(flag, p string) (string, error) {
	bad := func(expected string) (string, error) {
		return "", fmt.Errorf("invalid --%s %q: expected %s", flag, p, expected)
	}
	if !strings.HasPrefix(p, "/") {
		return bad(`a path starting with "/"`)
	}
	if len(p) > maxPathLength {
		return bad(fmt.Sprintf("a path of at most %d characters (it has %d)", maxPathLength, len(p)))
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c <= ' ' || c == 0x7f || c == '?' || c == '#':
			return bad(`a path without spaces, control characters, '?' or '#'`)
		case c >= 0x80:
			return bad("a path of ASCII characters (others written as %XX escapes of their UTF-8 bytes)")
		case c == '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return bad(`"%" to start an escape of two hex digits (like %20)`)
			}
			if p[i+1] == '2' && (p[i+2] == 'f' || p[i+2] == 'F') {
				return bad(`a path without an escaped "/" (%2f)`)
			}
			i += 2
		case !strings.ContainsRune(pathChars, rune(c)) && !isAlnum(c):
			return bad(fmt.Sprintf("a path of letters, digits, %%XX escapes and %s only (not %q)", pathChars, c))
		}
	}
	if strings.Contains(p, "//") {
		return bad(`a path without empty segments ("//")`)
	}
	if strings.Contains(p, "/./") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") {
		return bad(`a path without "." or ".." segments`)
	}
	return p, nil
}

// maxPathLength is the HTTPRoute CRD's maxLength of a path.
const maxPathLength = 1024

// pathChars are the characters of a path besides letters, digits and %XX
// escapes (the HTTPRoute CRD's regex: RFC 3986's pchar and "/").
const pathChars = "/-._~!$&'()*+,;=:@"

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// ParseHost checks a --host value as Istio and the Gateway API read a
// host: "*", "*.domain" or a DNS name, in lower case, each label of at
// most 63 characters and the whole of at most 253.
func ParseHost(h string) (string, error) {
	if h == "*" {
		return h, nil
	}
	var errs []string
	if strings.HasPrefix(h, "*.") {
		errs = validation.IsWildcardDNS1123Subdomain(h)
	} else {
		errs = validation.IsDNS1123Subdomain(h)
	}
	if len(h) > validation.DNS1123SubdomainMaxLength {
		return "", fmt.Errorf("invalid --host %q: expected a DNS name of at most %d characters (it has %d)", h, validation.DNS1123SubdomainMaxLength, len(h))
	}
	if len(errs) > 0 {
		return "", fmt.Errorf("invalid --host %q: expected a DNS name (like flask.example.com), \"*\" or \"*.domain\"", h)
	}
	for _, l := range strings.Split(h, ".") {
		if len(l) > validation.DNS1123LabelMaxLength {
			return "", fmt.Errorf("invalid --host %q: expected DNS labels of at most %d characters (%q has %d)", h, validation.DNS1123LabelMaxLength, l, len(l))
		}
	}
	return h, nil
}

// PortRef is a --port value: a number or the name of a Service port.
type PortRef struct {
	Number int32
	Name   string
}

func (p PortRef) String() string {
	if p.Name != "" {
		return p.Name
	}
	if p.Number == 0 {
		return ""
	}
	return strconv.Itoa(int(p.Number))
}

// ParsePort checks a --port value ("" means none).
func ParsePort(s string) (PortRef, error) {
	if s == "" {
		return PortRef{}, nil
	}
	if s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 65535 {
			return PortRef{}, fmt.Errorf("invalid --port %q: expected a port number (1-65535) or a port name", s)
		}
		return PortRef{Number: int32(n)}, nil
	}
	if errs := validation.IsValidPortName(s); len(errs) > 0 {
		return PortRef{}, fmt.Errorf("invalid --port %q: expected a port number (1-65535) or a port name", s)
	}
	return PortRef{Name: s}, nil
}

// ParseSelector checks a --gateway-selector value KEY=VALUE[,KEY=VALUE...].
func ParseSelector(s string) (map[string]string, error) {
	bad := func() (map[string]string, error) {
		return nil, fmt.Errorf("invalid --gateway-selector %q: expected KEY=VALUE[,KEY=VALUE...] with label keys and values", s)
	}
	if s == "" {
		return bad()
	}
	sel := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || len(validation.IsQualifiedName(k)) > 0 || len(validation.IsValidLabelValue(v)) > 0 {
			return bad()
		}
		if old, dup := sel[k]; dup && old != v {
			return bad()
		}
		sel[k] = v
	}
	return sel, nil
}

// FormatSelector is the canonical KEY=VALUE,... form of a selector.
func FormatSelector(sel map[string]string) string {
	keys := make([]string, 0, len(sel))
	for k := range sel {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + sel[k]
	}
	return strings.Join(parts, ",")
}

// ParseGatewayRef checks a --gateway value [NS/]NAME; the namespace
// defaults to ns, which may be empty (not known yet: the caller fills it).
func ParseGatewayRef(s, ns string) (ObjectRef, error) {
	ref := ObjectRef{Namespace: ns, Name: s}
	if a, b, ok := strings.Cut(s, "/"); ok {
		ref = ObjectRef{Namespace: a, Name: b}
	}
	badNS := (ref.Namespace != "" || strings.Contains(s, "/")) && len(validation.IsDNS1123Label(ref.Namespace)) > 0
	if badNS || len(validation.IsDNS1123Subdomain(ref.Name)) > 0 || ref.Name == rules.MeshGateway {
		return ObjectRef{}, fmt.Errorf("invalid --gateway %q: expected [NAMESPACE/]NAME of a Gateway", s)
	}
	return ref, nil
}

// ParseMatches checks --exact and --prefix values and returns their
// matches, exact ones first, each once.
func ParseMatches(exacts, prefixes []string) ([]Match, error) {
	var out []Match
	for _, set := range []struct {
		flag  string
		kind  MatchKind
		paths []string
	}{{"exact", Exact, exacts}, {"prefix", Prefix, prefixes}} {
		for _, p := range set.paths {
			if _, err := ParsePath(set.flag, p); err != nil {
				return nil, err
			}
			if m := (Match{Kind: set.kind, Path: p}); !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// ParseHosts checks --host values and returns them, each once.
func ParseHosts(hosts []string) ([]string, error) {
	var out []string
	for _, h := range hosts {
		if _, err := ParseHost(h); err != nil {
			return nil, err
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out, nil
}

// ParseGatewayFlags reads the optional SERVICE argument and
// --gateway-selector of url and proxy as expose reads them: "" stays
// unset (service "", selector nil).
func ParseGatewayFlags(service, selector string) (string, map[string]string, error) {
	var err error
	if service != "" {
		if service, err = ParseService(service); err != nil {
			return "", nil, err
		}
	}
	var sel map[string]string
	if selector != "" {
		if sel, err = ParseSelector(selector); err != nil {
			return "", nil, err
		}
	}
	return service, sel, nil
}
