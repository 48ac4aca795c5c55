package gwapi

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// ServiceLabel is on the tool's HTTPRoutes: the Service they send to (a
// redirect route has no backend to tell it).
const ServiceLabel = "expose-gw.kubectl.io/service"

// RedirectSuffix ends the name of a host's redirect route.
const RedirectSuffix = "-redirect"

// Plan is what PlanExpose decided: the changes (the Gateway's first) and
// what to tell the user.
type Plan struct {
	Changes []route.Change
	// Note says which existing Gateway was chosen; Warnings are the
	// routes --force writes that an older route keeps.
	Note     string
	Warnings []string
}

// PlanExpose turns the request into a Gateway and HTTPRoutes: per host one
// HTTPRoute in the Service's namespace, parentRefs to the Gateway's
// listeners, a rule per match; with --https-redirect a second HTTPRoute on
// the HTTP listener answering with a redirect. A rule whose match an older
// HTTPRoute of the same Gateway and host already has is refused (Gateway
// API gives identical matches to the oldest route) unless e.Force.
func PlanExpose(e *route.Expose, st State) (Plan, error) {
	ns := e.Target.Namespace
	if err := checkRewrite(e); err != nil {
		return Plan{}, err
	}
	if st.NamespaceLabels == nil {
		// Every namespace carries its name label (the apiserver sets it).
		st.NamespaceLabels = map[string]string{corev1.LabelMetadataName: ns}
	}
	gwc, secs, note, err := chooseGateway(e, st)
	if err != nil {
		return Plan{}, err
	}
	g := gwc.Object.(*gwv1.Gateway)
	ref := route.ObjectRef{Namespace: g.Namespace, Name: g.Name}
	p := Plan{Changes: []route.Change{gwc}, Note: note}
	for _, host := range e.Hosts {
		s := secs[host]
		name := route.HTTPRouteName(e.Target.Service, host, ref, ns)
		var main, redirect []gwv1.ParentReference
		switch {
		case e.HTTPSRedirect:
			main = []gwv1.ParentReference{parentRef(ref, s.https, ns)}
			redirect = []gwv1.ParentReference{parentRef(ref, s.http, ns)}
		case e.TLSSecret != "":
			main = []gwv1.ParentReference{parentRef(ref, s.http, ns), parentRef(ref, s.https, ns)}
		default:
			main = []gwv1.ParentReference{parentRef(ref, s.http, ns)}
		}
		var add, redirects []gwv1.HTTPRouteRule
		for _, m := range e.Matches {
			add = append(add, backendRule(m, e.Target))
			redirects = append(redirects, redirectRule(m, listenerPort(g, s.https)))
		}
		c, err := planRoute(e, st, name, host, main, add, e.HTTPSRedirect)
		if err != nil {
			return Plan{}, err
		}
		p.Changes = append(p.Changes, c)
		if e.HTTPSRedirect {
			rc, err := planRoute(e, st, name+RedirectSuffix, host, redirect, redirects, false)
			if err != nil {
				return Plan{}, err
			}
			p.Changes = append(p.Changes, rc)
		}
	}
	after := routesAfter(st.Routes, p.Changes[1:])
	for _, c := range p.Changes[1:] {
		old, _ := c.Before.(*gwv1.HTTPRoute)
		w, err := checkConflicts(c.Object.(*gwv1.HTTPRoute), old, g, after, e.Force)
		if err != nil {
			return Plan{}, err
		}
		p.Warnings = append(p.Warnings, w...)
	}
	return p, nil
}

// listenerPort is the port of g's listener name, 0 when there is none.
func listenerPort(g *gwv1.Gateway, name gwv1.SectionName) gwv1.PortNumber {
	for _, l := range g.Spec.Listeners {
		if l.Name == name {
			return l.Port
		}
	}
	return 0
}

// routesAfter are the routes as the changes leave them: the conflict
// check compares the plan's routes with each other as they will be (a
// route the plan moves off a listener competes there no more).
func routesAfter(routes []*gwv1.HTTPRoute, changes []route.Change) []*gwv1.HTTPRoute {
	out := slices.Clone(routes)
	for _, c := range changes {
		r := c.Object.(*gwv1.HTTPRoute)
		i := slices.IndexFunc(out, func(x *gwv1.HTTPRoute) bool { return x.Namespace == r.Namespace && x.Name == r.Name })
		switch {
		case c.Op == route.OpDelete && i >= 0:
			out = slices.Delete(out, i, i+1)
		case i >= 0:
			out[i] = r
		default:
			out = append(out, r)
		}
	}
	return out
}

// planRoute creates the tool's HTTPRoute name, or merges rules into it:
// a rule replaces the one of the same match, others are kept. Its
// parentRefs gain parents (with dropHTTP, those of other listeners than
// HTTPS ones are dropped: the redirect route answers there).
func planRoute(e *route.Expose, st State, name, host string, parents []gwv1.ParentReference, add []gwv1.HTTPRouteRule, dropHTTP bool) (route.Change, error) {
	ns := e.Target.Namespace
	old := st.route(ns, name)
	if old == nil {
		r := newRoute(name, ns, host, parents)
		r.Labels[ServiceLabel] = e.Target.Service
		r.Spec.Rules = slices.Clone(add)
		sortRules(r.Spec.Rules)
		return route.Change{Op: route.OpCreate, Object: r}, nil
	}
	if !route.IsManaged(old) || old.Labels[ServiceLabel] != e.Target.Service || HostOf(old) != host {
		return route.Change{}, fmt.Errorf("HTTPRoute %s/%s exists and is not the route kubectl-expose-gw writes for service %s and host %q: rename or delete it", ns, name, e.Target.Service, host)
	}
	r := old.DeepCopy()
	if dropHTTP {
		r.Spec.ParentRefs = slices.DeleteFunc(r.Spec.ParentRefs, func(p gwv1.ParentReference) bool {
			return !slices.ContainsFunc(parents, func(q gwv1.ParentReference) bool { return sameParent(p, q) })
		})
	}
	for _, p := range parents {
		if !slices.ContainsFunc(r.Spec.ParentRefs, func(q gwv1.ParentReference) bool { return sameParent(p, q) }) {
			r.Spec.ParentRefs = append(r.Spec.ParentRefs, p)
		}
	}
	for _, rule := range add {
		m, _ := MatchOf(rule)
		i := slices.IndexFunc(r.Spec.Rules, func(x gwv1.HTTPRouteRule) bool { xm, ok := MatchOf(x); return ok && xm == m })
		switch {
		case i >= 0 && sameSpec(gwv1.HTTPRouteSpec{Rules: []gwv1.HTTPRouteRule{r.Spec.Rules[i]}}, gwv1.HTTPRouteSpec{Rules: []gwv1.HTTPRouteRule{rule}}):
			// as it is
		case i >= 0:
			r.Spec.Rules[i] = rule
		default:
			r.Spec.Rules = append(r.Spec.Rules, rule)
		}
	}
	sortRules(r.Spec.Rules)
	if sameSpec(r.Spec, old.Spec) {
		return route.Change{Op: route.OpUnchanged, Object: old}, nil
	}
	return route.Change{Op: route.OpUpdate, Object: r, Before: old}, nil
}

// checkRewrite refuses a --rewrite Istio would not do as meant: for a
// path prefix "/", Istio turns ReplacePrefixMatch R into a plain prefix
// rewrite of "/" by R without its trailing "/" (pilot's
// createRewriteFilter), so /x becomes R+"x" instead of R/x.
func checkRewrite(e *route.Expose) error {
	r := e.Target.Rewrite
	if r == "" || r == "/" {
		return nil
	}
	for _, m := range e.Matches {
		if m.Kind == route.Prefix && m.Path == "/" {
			return fmt.Errorf("invalid --rewrite %q with --prefix %q for the Gateway API: Istio turns ReplacePrefixMatch %s of prefix / into a plain prefix rewrite, /x would become %sx; use a longer --prefix, or --api istio", r, m.Path, r, strings.TrimSuffix(r, "/"))
		}
	}
	return nil
}
