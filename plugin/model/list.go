package model

import (
	"sort"
	"strings"

	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
)

// RouteRow is one line of `kubectl expose-gw list`.
type RouteRow struct {
	// API is the API of the route's object: APIIstio or APIGateway.
	API            string `json:"api"`
	Namespace      string `json:"namespace"`
	Host           string `json:"host"`
	Match          string `json:"match"`
	Destination    string `json:"destination"`
	Gateway        string `json:"gateway"`
	Status         string `json:"status"`
	VirtualService string `json:"virtualService,omitempty"`
	HTTPRoute      string `json:"httpRoute,omitempty"`
	Route          string `json:"route"`
	Rewrite        string `json:"rewrite,omitempty"`
	Managed        bool   `json:"managed"`
}

// Route statuses.
const (
	StatusOK       = "ok"
	StatusShadowed = "shadowed"
	StatusConflict = "conflict"
)

// ListRoutes returns a row per route and host of the VirtualServices bound
// to a gateway (mesh-only ones are left out). A route is shadowed when an
// earlier route of the virtual host Istio merges it into (from any
// VirtualService bound to the same gateway workload, port and host, in any
// namespace, see MergeVirtualHosts) takes all its requests; it conflicts
// when another VirtualService binds the same host and Gateway.
func ListRoutes(gateways []*networkingv1.Gateway, vss []*networkingv1.VirtualService) []RouteRow {
	merged := rules.MergeVirtualHosts(gateways, vss)
	type key struct {
		host string
		gw   ObjectRef
	}
	binders := map[key][]*networkingv1.VirtualService{}
	for _, vs := range vss {
		for _, h := range vs.Spec.Hosts {
			for _, g := range rules.BoundGateways(vs) {
				if g.Name != MeshGateway {
					k := key{h, g}
					binders[k] = append(binders[k], vs)
				}
			}
		}
	}
	var rows []RouteRow
	for _, vs := range vss {
		var conflicts []string
		relevant := false
		for _, h := range vs.Spec.Hosts {
			for _, g := range rules.BoundGateways(vs) {
				relevant = relevant || g.Name != MeshGateway
				for _, b := range binders[key{h, g}] {
					if b != vs {
						conflicts = append(conflicts, b.Namespace+"/"+b.Name)
					}
				}
			}
		}
		if !relevant {
			continue
		}
		gws := make([]string, 0, len(vs.Spec.Gateways))
		for _, g := range rules.BoundGateways(vs) {
			if g.Name == MeshGateway {
				gws = append(gws, MeshGateway)
			} else {
				gws = append(gws, g.String())
			}
		}
		shadow := rules.ShadowedBy(vs.Spec.Http)
		for i, r := range vs.Spec.Http {
			for _, h := range vs.Spec.Hosts {
				status := StatusOK
				switch s := merged.Shadowed(vs, h, i); {
				case s != nil && s.VirtualService == (ObjectRef{Namespace: vs.Namespace, Name: vs.Name}):
					status = StatusShadowed + " by " + s.Match
				case s != nil:
					status = StatusShadowed + " by " + s.String()
				case len(conflicts) > 0:
					status = StatusConflict + " with " + strings.Join(dedup(conflicts), ",")
				case shadow[i] >= 0:
					status = StatusShadowed + " by " + rules.DescribeMatch(vs.Spec.Http[shadow[i]])
				}
				rows = append(rows, RouteRow{
					API: APIIstio, Namespace: vs.Namespace, Host: h, Match: rules.DescribeMatch(r),
					Destination: joinOr(rules.Destinations(r), "<none>"), Gateway: strings.Join(gws, ","),
					Status: status, VirtualService: vs.Name, Route: r.GetName(),
					Rewrite: describeRewrite(r), Managed: IsManaged(vs),
				})
			}
		}
	}
	SortRows(rows)
	return rows
}

// The APIs of routes, as `list` and --api name them.
const (
	APIIstio   = "istio"
	APIGateway = "gateway-api"
)

// SortRows orders rows by namespace, host, API and object name.
func SortRows(rows []RouteRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		if a.API != b.API {
			return a.API > b.API // istio first
		}
		return a.VirtualService+a.HTTPRoute < b.VirtualService+b.HTTPRoute
	})
}

func dedup(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
