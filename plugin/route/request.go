package route

import "github.com/expose-gw/kubectl-expose-gw/plugin/rules"

// The requests are what the user asked for, in no API's terms: the
// Service and port, hosts, path matches, rewrite, TLS, redirect and
// gateway. Each API's writer (the Istio API's: PlanExpose, PlanDelete)
// turns them into Changes.

// Expose is what `kubectl expose-gw SERVICE` asks for, already validated.
type Expose struct {
	Target   RouteTarget
	Matches  []Match
	Hosts    []string
	Gateway  *ObjectRef // --gateway, nil for automatic
	Selector map[string]string
	Mesh     bool
	// TLSSecret adds an HTTPS server; HTTPSRedirect makes HTTP redirect.
	// TLSSelfSigned (--tls self-signed): the tool makes the Secret
	// TLSSecret names, from its own CA (package selfsigned).
	TLSSecret     string
	TLSSelfSigned bool
	// TLSCertManager (--tls cert-manager): cert-manager writes the Secret
	// TLSSecret names, signed by the issuer IssuerKind/IssuerName
	// (package certmanager).
	TLSCertManager         bool
	IssuerKind, IssuerName string
	HTTPSRedirect          bool
	Force                  bool
	// HTTPPort and HTTPSPort are the ingress gateway's ports, 0 when not
	// looked up yet: Plan returns ErrNeedPorts if it needs them.
	HTTPPort, HTTPSPort uint32
}

// Delete is what `kubectl expose-gw delete SERVICE` asks for.
type Delete struct {
	Service, Namespace string
	Matches            []Match  // empty: every route of the service
	Hosts              []string // empty: every host
	// Force also removes the service's routes from the VirtualServices of
	// the namespace the tool does not manage, where expose --force wrote
	// them: routes named after the service, with a match MatchOf reads,
	// sending only to the service. Such a VirtualService is never deleted:
	// one that would be left without any route (which Istio rejects) is
	// left as it is, an OpUnchanged change (see KeptWhole).
	Force bool
}

// RouteTarget is where the tool sends a route.
type RouteTarget struct {
	Service   string // Service name, also the route's name
	Namespace string
	Port      int32
	Rewrite   string // --rewrite: what the matched path becomes, optional
}

// FQDN is the destination host NAME.NAMESPACE.svc.cluster.local.
func (t RouteTarget) FQDN() string { return rules.ServiceFQDN(t.Service, t.Namespace) }
