package gwapi

import (
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// The apiserver writes the CRD's defaults into what it stores (parentRef
// group and kind, backendRef group, kind and weight, a path match's type
// and value, a rule's match-everything match, a redirect's status code):
// the tool writes them too, and compares specs with them, so an object
// read back equals the one planned and a second expose changes nothing.

// canonicalSpec is spec with the defaults written, a copy.
func canonicalSpec(spec gwv1.HTTPRouteSpec) gwv1.HTTPRouteSpec {
	out := *spec.DeepCopy()
	for i := range out.ParentRefs {
		canonicalParent(&out.ParentRefs[i])
	}
	for i := range out.Rules {
		canonicalRule(&out.Rules[i])
	}
	return out
}

func canonicalParent(p *gwv1.ParentReference) {
	if p.Group == nil {
		p.Group = ptr.To(gwv1.Group(gwv1.GroupName))
	}
	if p.Kind == nil {
		p.Kind = ptr.To(gwv1.Kind("Gateway"))
	}
}

func canonicalRule(r *gwv1.HTTPRouteRule) {
	if len(r.Matches) == 0 {
		r.Matches = []gwv1.HTTPRouteMatch{{}}
	}
	for i := range r.Matches {
		m := &r.Matches[i]
		if m.Path == nil {
			m.Path = &gwv1.HTTPPathMatch{}
		}
		if m.Path.Type == nil {
			m.Path.Type = ptr.To(gwv1.PathMatchPathPrefix)
		}
		if m.Path.Value == nil {
			m.Path.Value = ptr.To("/")
		}
	}
	for i := range r.BackendRefs {
		b := &r.BackendRefs[i].BackendRef
		if b.Group == nil {
			b.Group = ptr.To(gwv1.Group(""))
		}
		if b.Kind == nil {
			b.Kind = ptr.To(gwv1.Kind("Service"))
		}
		if b.Weight == nil {
			b.Weight = ptr.To(int32(1))
		}
	}
	for i := range r.Filters {
		if rr := r.Filters[i].RequestRedirect; rr != nil && rr.StatusCode == nil {
			rr.StatusCode = ptr.To(302)
		}
	}
}

// sameSpec is whether two route specs mean the same once defaulted.
func sameSpec(a, b gwv1.HTTPRouteSpec) bool {
	return equality.Semantic.DeepEqual(canonicalSpec(a), canonicalSpec(b))
}

// sameParent is whether two parentRefs name the same parent and section.
func sameParent(a, b gwv1.ParentReference) bool {
	a, b = *a.DeepCopy(), *b.DeepCopy()
	canonicalParent(&a)
	canonicalParent(&b)
	return equality.Semantic.DeepEqual(a, b)
}
