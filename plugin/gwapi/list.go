package gwapi

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

// ListRoutes returns a row per rule match and hostname of the HTTPRoutes
// attached to Gateways of Istio. STATUS is "shadowed by NS/NAME" when an
// older route of the same Gateway, listener and host has the identical
// match (Gateway API's precedence), else what Istio reported in
// status.parents: "ok", "pending" (not reported on this generation yet)
// or the refusal ("refused: ResolvedRefs=False BackendNotFound").
func ListRoutes(st State) []route.RouteRow {
	var rows []route.RouteRow
	for _, r := range st.Routes {
		gws := istioParents(r, st)
		if len(gws) == 0 {
			continue
		}
		status := routeStatus(r)
		hosts := []string{"*"}
		if len(r.Spec.Hostnames) > 0 {
			hosts = nil
			for _, h := range r.Spec.Hostnames {
				hosts = append(hosts, string(h))
			}
		}
		for _, rule := range r.Spec.Rules {
			for _, rm := range ruleMatches(rule) {
				for _, h := range hosts {
					s := status
					if rm.ok {
						if by := ShadowedBy(r, rm.m, h, gws, st.gateway, st.Routes); by != "" {
							s = route.StatusShadowed + " by " + by
						}
					}
					rows = append(rows, route.RouteRow{
						API: route.APIGateway, Namespace: r.Namespace, Host: h, Match: rm.text,
						Destination: destinations(rule, r.Namespace), Gateway: joinRefs(gws),
						Status: s, HTTPRoute: r.Name, Route: string(ptr.Deref(rule.Name, "")),
						Rewrite: rewriteOf(rule), Managed: route.IsManaged(r),
					})
				}
			}
		}
	}
	route.SortRows(rows)
	return rows
}

// istioParents are the Gateways of Istio that r names as parents.
func istioParents(r *gwv1.HTTPRoute, st State) []route.ObjectRef {
	var out []route.ObjectRef
	for _, p := range r.Spec.ParentRefs {
		ref, ok := ParentGateway(p, r.Namespace)
		if !ok {
			continue
		}
		if g := st.gateway(ref); g != nil && !st.istioGateway(g) {
			continue
		}
		if !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	return out
}

func joinRefs(refs []route.ObjectRef) string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = r.String()
	}
	return strings.Join(s, ",")
}

// routeStatus is the route's status as Istio reported it.
func routeStatus(r *gwv1.HTTPRoute) string {
	st := route.StatusOK
	for _, v := range Verdicts(r) {
		switch {
		case v.Refused != nil:
			return fmt.Sprintf("refused: %s=False %s", v.Refused.Type, v.Refused.Reason)
		case !v.Known:
			st = "pending"
		}
	}
	return st
}

// ruleMatch is one match of a rule: as the tool reads it (ok), and as
// list describes it ("prefix /env", "exact /x", or the matches as
// Gateway API writes them).
type ruleMatch struct {
	m    route.Match
	ok   bool
	text string
}

func ruleMatches(rule gwv1.HTTPRouteRule) []ruleMatch {
	if len(rule.Matches) == 0 {
		m := route.Match{Kind: route.Prefix, Path: "/"}
		return []ruleMatch{{m, true, m.String()}}
	}
	var out []ruleMatch
	for _, hm := range rule.Matches {
		if m, ok := matchOf(hm); ok {
			out = append(out, ruleMatch{m, true, m.String()})
			continue
		}
		out = append(out, ruleMatch{text: describeMatch(hm)})
	}
	return out
}

func describeMatch(m gwv1.HTTPRouteMatch) string {
	var parts []string
	if m.Path != nil {
		parts = append(parts, strings.ToLower(string(ptr.Deref(m.Path.Type, gwv1.PathMatchPathPrefix)))+" "+ptr.Deref(m.Path.Value, "/"))
	}
	if len(m.Headers) > 0 {
		parts = append(parts, fmt.Sprintf("%d headers", len(m.Headers)))
	}
	if len(m.QueryParams) > 0 {
		parts = append(parts, fmt.Sprintf("%d query params", len(m.QueryParams)))
	}
	if m.Method != nil {
		parts = append(parts, "method "+string(*m.Method))
	}
	return strings.Join(parts, " ")
}

// destinations are the rule's backends as Istio names the Services
// (NAME.NAMESPACE.svc.cluster.local:PORT), "<redirect>" or "<none>".
func destinations(rule gwv1.HTTPRouteRule, ns string) string {
	var out []string
	for _, b := range rule.BackendRefs {
		if ptr.Deref(b.Kind, "Service") != "Service" || ptr.Deref(b.Group, "") != "" {
			out = append(out, string(ptr.Deref(b.Kind, ""))+"/"+string(b.Name))
			continue
		}
		d := rules.ServiceFQDN(string(b.Name), string(ptr.Deref(b.Namespace, gwv1.Namespace(ns))))
		if b.Port != nil {
			d += fmt.Sprintf(":%d", *b.Port)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		for _, f := range rule.Filters {
			if f.Type == gwv1.HTTPRouteFilterRequestRedirect {
				return "<redirect>"
			}
		}
		return "<none>"
	}
	return strings.Join(out, ",")
}

// rewriteOf is the path a rule's URLRewrite replaces the match with.
func rewriteOf(rule gwv1.HTTPRouteRule) string {
	for _, f := range rule.Filters {
		if f.Type != gwv1.HTTPRouteFilterURLRewrite || f.URLRewrite == nil || f.URLRewrite.Path == nil {
			continue
		}
		p := f.URLRewrite.Path
		return ptr.Deref(p.ReplacePrefixMatch, ptr.Deref(p.ReplaceFullPath, ""))
	}
	return ""
}
