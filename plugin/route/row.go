package route

import "sort"

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
