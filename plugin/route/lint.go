package route

// Finding is one problem lint reports: a code (Istio analyzer's where
// the check is one of them, EGW… for the tool's own), the object, what
// is wrong, the other objects involved and the fix.
type Finding struct {
	Code      string   `json:"code"`
	Kind      string   `json:"kind"`
	Namespace string   `json:"namespace"`
	Name      string   `json:"name"`
	Rule      *int     `json:"rule,omitempty"`
	Message   string   `json:"message"`
	Involves  []string `json:"involves,omitempty"` // "Kind namespace/name"
	Fix       string   `json:"fix,omitempty"`
}

// The codes lint uses. Where a check is one of Istio's analyzers, its
// code (istioctl analyze, https://istio.io/latest/docs/reference/config/analysis/).
const (
	CodeNotFound          = "IST0101" // ReferencedResourceNotFound: a Gateway, host or selector that does not exist
	CodeHostNotInGateway  = "IST0132" // VirtualServiceHostNotFoundInGateway
	CodeConflictingHosts  = "IST0145" // ConflictingGateways (shared hosts on one port)
	CodeInvalidCredential = "IST0161" // InvalidGatewayCredential
	CodePortNotOnService  = "IST0162" // GatewayPortNotDefinedOnService
	CodeUnreachable       = "EGW0001" // a rule no request reaches
	CodeNoEndpoints       = "EGW0002" // a destination with no ready endpoints
	CodeNotVisible        = "EGW0003" // a VirtualService exported away from the gateway's namespace
	CodeRouteNotAccepted  = "EGW0004" // an HTTPRoute Istio did not accept (its reason quoted)
	CodeRefsNotResolved   = "EGW0005" // an HTTPRoute whose references Istio could not resolve
	CodeMissingPort       = "EGW0006" // a destination port the Service does not have
	CodeSharedCertificate = "EGW0007" // HTTPS servers of one port sharing a certificate: HTTP/2 connection reuse gets 404s
)

// LintInput is what lint looks at: the routes of Namespace ("" with
// All), for Host only when given.
type LintInput struct {
	Namespace string
	All       bool
	Host      string
	Selector  map[string]string
}

// InScope is whether an object of namespace ns with hosts is lint's to
// report (hostsMatch says whether one of its hosts is in.Host).
func (in *LintInput) InScope(ns string, hostsMatch func(string) bool) bool {
	if !in.All && ns != in.Namespace {
		return false
	}
	return in.Host == "" || hostsMatch(in.Host)
}
