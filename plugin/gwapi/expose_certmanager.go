package gwapi

import (
	"fmt"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/certmanager"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// annotateIssuer is --tls cert-manager with the Gateway API: the Gateway
// of change c annotated with the issuer (cert-manager.io/issuer or
// cluster-issuer), which cert-manager's gateway-shim reads to write a
// Certificate for each HTTPS listener's hostname and certificateRef. A
// Gateway annotated with another issuer is refused, one with an HTTPS
// listener whose certificate is not cert-manager's for the tool (the
// annotation would have cert-manager replace it), and one the tool does
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
	for _, l := range g.Spec.Listeners {
		if l.TLS == nil {
			continue
		}
		for _, ref := range l.TLS.CertificateRefs {
			if !strings.HasPrefix(string(ref.Name), certmanager.SecretPrefix) {
				return route.Change{}, fmt.Errorf("Gateway %s/%s has listener %s with certificate %s, not cert-manager's: the issuer annotation would have cert-manager issue it too: give --gateway NAME for a Gateway of its own",
					g.Namespace, g.Name, l.Name, ref.Name)
			}
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

// refuseIssuerAnnotation is an HTTPS listener of our own certificate
// (--tls-secret, --tls self-signed) on a Gateway annotated with a
// cert-manager issuer: cert-manager would replace the Secret with one of
// its issuer's.
func refuseIssuerAnnotation(c route.Change, secret string) error {
	g := c.Object.(*gwv1.Gateway)
	for _, k := range certmanager.Annotations {
		if v, ok := g.Annotations[k]; ok {
			return fmt.Errorf("Gateway %s/%s is annotated %s=%s: cert-manager would replace Secret %s with a certificate of that issuer: give --tls cert-manager --issuer %s, or --gateway NAME for a Gateway of its own",
				g.Namespace, g.Name, k, v, secret, certmanager.IssuerOfAnnotation(k, v))
		}
	}
	return nil
}
