package route

import "github.com/expose-gw/kubectl-expose-gw/plugin/rules"

// The model speaks in the terms of Istio's rules (package rules, the one
// place that knows them): a request's path matches and object references
// are the rules' own types.
type (
	Match     = rules.Match
	MatchKind = rules.MatchKind
	ObjectRef = rules.ObjectRef
)

// The kinds of path match (see rules.Match).
const (
	Exact        = rules.Exact
	Prefix       = rules.Prefix
	StringPrefix = rules.StringPrefix
)

// MeshGateway is Istio's reserved gateway name for in-mesh callers.
const MeshGateway = rules.MeshGateway
