package route

import (
	"fmt"
	"strings"
)

// NoRouteError says there is no route of the service to delete. Unmanaged
// are those (see UnmanagedRoutes) that only Delete.Force removes.
type NoRouteError struct {
	Service, Namespace string
	Filter             string // " matching [...]", " on hosts [...]" or ""
	Unmanaged          []string
}

func (e *NoRouteError) Error() string {
	s := fmt.Sprintf("no route of service %s/%s to delete%s", e.Namespace, e.Service, e.Filter)
	if len(e.Unmanaged) == 0 {
		return s
	}
	return s + " in the VirtualServices kubectl-expose-gw manages, but it has routes in VirtualServices kubectl-expose-gw does not manage (written there by expose --force): " +
		strings.Join(e.Unmanaged, ", ") + "; add --force to remove them"
}

func DescribeFilter(d *Delete) string {
	s := ""
	if len(d.Matches) > 0 {
		s += fmt.Sprintf(" matching %v", d.Matches)
	}
	if len(d.Hosts) > 0 {
		s += fmt.Sprintf(" on hosts %v", d.Hosts)
	}
	return s
}
