package diagnose

import (
	"fmt"

	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// difference is where the running gateway and the objects part, "" when
// they agree: whether a route takes the request, which rule's, what it
// does (forward, redirect, direct response) and where it forwards.
func difference(e *route.Explanation, w envoy.Walked) string {
	const model = "by the objects, "
	switch {
	case e.Route == nil && w.Route == nil:
		return ""
	case e.Route == nil:
		return model + "no rule takes the request; the gateway's route " + describe(w.Route) + " does: its configuration is older than the objects (not pushed yet) or Istio rejected a change"
	case w.Route == nil:
		return fmt.Sprintf("%s%s takes the request; the gateway stops: %s: istiod has not pushed the change to it yet, or Istio rejected the object (istioctl analyze)",
			model, ruleOf(e.Route), w.Stop)
	case !sameRule(e.Route, w.Route):
		return fmt.Sprintf("%s%s takes the request; the gateway's route %s does: not pushed yet, or Istio rejected a change",
			model, ruleOf(e.Route), describe(w.Route))
	}
	if want, got := modelAction(e), liveAction(w.Route); want != got {
		return fmt.Sprintf("%s%s makes it %s; the gateway's route %s makes it %s", model, ruleOf(e.Route), want, describe(w.Route), got)
	}
	if e.Backend != nil && w.Route.Forward != nil && len(w.Route.Forward.Backends) > 0 {
		b := Heaviest(w.Route.Forward.Backends)
		if b.Host != e.Backend.Host || int32(b.Port) != e.Backend.Port {
			return fmt.Sprintf("%sthe rule sends it to %s:%d; the gateway sends it to %s:%d", model, e.Backend.Host, e.Backend.Port, b.Host, b.Port)
		}
	}
	return ""
}

// The kinds of action compared.
const (
	actForward  = "a forward"
	actRedirect = "a redirect"
	actDirect   = "a direct response"
)

// modelAction is the kind of action of the objects' verdict: a route that
// forwards to a missing Service is still a forward (Envoy's 503 NC).
func modelAction(e *route.Explanation) string {
	switch e.Outcome {
	case route.OutcomeRedirected:
		return actRedirect
	case route.OutcomeDirectResponse:
		return actDirect
	}
	return actForward
}

func liveAction(r *envoy.Route) string {
	switch {
	case r.Redirect != nil:
		return actRedirect
	case r.Direct != nil:
		return actDirect
	}
	return actForward
}

// sameRule is whether the Envoy route was made from the rule m: the
// route's name pilot gives it (the rule's name; an HTTPRoute rule's, else
// NAMESPACE.NAME.RULE), and for a VirtualService the object in its
// metadata. Two unnamed rules of one VirtualService are told apart only
// by what they do.
func sameRule(m *route.ExplainRoute, r *envoy.Route) bool {
	if r.Origin.Route != m.EnvoyRoute {
		return false
	}
	if m.Kind == "HTTPRoute" {
		return true // the metadata names the VirtualService Istio made of it
	}
	return r.Origin.Kind == m.Kind && r.Origin.Namespace == m.Namespace && r.Origin.Name == m.Name
}

func ruleOf(m *route.ExplainRoute) string {
	return fmt.Sprintf("rule %d of %s %s/%s", m.Rule, m.Kind, m.Namespace, m.Name)
}

func describe(r *envoy.Route) string {
	if r.Origin.Name != "" {
		return fmt.Sprintf("%q (%s %s/%s)", r.Origin.Route, r.Origin.Kind, r.Origin.Namespace, r.Origin.Name)
	}
	return fmt.Sprintf("%q", r.Origin.Route)
}
