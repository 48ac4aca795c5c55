package gwapi

import (
	"fmt"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/certmanager"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// annotateIssuer is --tls cert-manager with the Gateway API: the Gateway
// of change c annotated with the issuer (cert-manager.io/issuer or
// cluster-issuer), which cert-manager's gateway-shim reads to write a
// Certificate for each HTTPS listener's hostname and certificateRef. A
// Gateway annotated with another issuer is refused, and one the tool does
// not manage unless --force.
func annotateIssuer(c route.Change, iss certmanager.Issuer, force bool) (route.Change, error) {
	g := c.Object.(*gwv1.Gateway)
	key := certmanager.AnnotationOf(iss.Kind)
	for _, k := range certmanager.Annotations {
		if v, ok := g.Annotations[k]; ok && (k != key || v != iss.Name) {
			return route.Change{}, fmt.Errorf("Gateway %s/%s is annotated %s=%s: cert-manager signs its listeners with that issuer, not %s: give --issuer %s, or another --gateway",
				g.Namespace, g.Name, k, v, iss, certmanager.IssuerOfAnnotation(k, v))
		}
	}
	if g.Annotations[key] == iss.Name {
		return c, nil
	}
	if c.Op != route.OpCreate && !route.IsManaged(g) && !force {
		return route.Change{}, fmt.Errorf("Gateway %s/%s is not managed by kubectl-expose-gw: annotate it yourself (kubectl annotate gateway -n %s %s %s=%s), or add --force",
			g.Namespace, g.Name, g.Namespace, g.Name, key, iss.Name)
	}
	next := g.DeepCopy()
	if next.Annotations == nil {
		next.Annotations = map[string]string{}
	}
	next.Annotations[key] = iss.Name
	switch c.Op {
	case route.OpCreate, route.OpUpdate:
		c.Object = next
		return c, nil
	}
	return route.ChangeOf(route.OpUpdate, next, g), nil
}
