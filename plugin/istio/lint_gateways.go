package istio

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// lint's checks of the Gateways themselves.

// gateways checks the Gateways in scope: a selector no pod has, a
// server port the gateway Service lacks, a certificate Secret missing
// from the gateway pods' namespace.
func (l *linter) gateways() {
	for _, g := range l.gws {
		if !l.in.InScope(g.Namespace, func(h string) bool { return gatewayServes(g, h) }) {
			continue
		}
		if !l.selects(g) {
			var none *resolve.NoGatewayError
			if gw, err := resolve.FindGateway(l.ctx, l.a.c.Kube, resolve.Options{Selector: g.Spec.Selector}); errors.As(err, &none) || err == nil && len(gw.Pods) == 0 {
				fix := "deploy an ingress gateway (istioctl install, or helm install istio-ingress istio/gateway)"
				if l.ing != nil {
					fix = fmt.Sprintf("select the ingress gateway's pods (%s)", route.FormatSelector(l.wl))
				}
				l.add(route.Finding{Code: route.CodeNotFound, Kind: "Gateway", Namespace: g.Namespace, Name: g.Name,
					Message: fmt.Sprintf("its selector %s matches no gateway pods: no gateway serves it", route.FormatSelector(g.Spec.Selector)),
					Fix:     fix})
			}
			continue
		}
		for i, s := range g.Spec.Servers {
			n := int32(s.GetPort().GetNumber())
			if !slices.ContainsFunc(l.ing.Service.Spec.Ports, func(p corev1.ServicePort) bool { return p.Port == n || targetPort(p, l.ing.Pods) == n }) {
				l.add(route.Finding{Code: route.CodePortNotOnService, Kind: "Gateway", Namespace: g.Namespace, Name: g.Name,
					Message:  fmt.Sprintf("server %d listens on port %d, which the gateway Service %s/%s does not expose: no request reaches it", i, n, l.ing.Service.Namespace, l.ing.Service.Name),
					Involves: []string{"Service " + l.ing.Service.Namespace + "/" + l.ing.Service.Name},
					Fix:      fmt.Sprintf("use one of the Service's ports (%s)", servicePorts(l.ing.Service))})
			}
			name := s.GetTls().GetCredentialName()
			if rules.ServerScheme(s) != "https" || name == "" {
				continue
			}
			if _, err := l.a.c.Kube.CoreV1().Secrets(l.wlNS).Get(l.ctx, name, getOptions); apierrors.IsNotFound(err) {
				l.add(route.Finding{Code: route.CodeInvalidCredential, Kind: "Gateway", Namespace: g.Namespace, Name: g.Name,
					Message:  fmt.Sprintf("server %d's credentialName %s is not a Secret of %s, the gateway pods' namespace: the TLS handshake fails", i, name, l.wlNS),
					Involves: []string{"Secret " + l.wlNS + "/" + name},
					Fix:      fmt.Sprintf("kubectl -n %s create secret tls %s --cert=... --key=...", l.wlNS, name)})
			}
		}
	}
}

func gatewayServes(g *networkingv1.Gateway, h string) bool {
	for _, s := range g.Spec.Servers {
		for _, e := range s.Hosts {
			if rules.HostsOverlap(rules.ParseServerHost(e).Host, h) {
				return true
			}
		}
	}
	return false
}

func servicePorts(svc *corev1.Service) string {
	var ps []string
	for _, p := range svc.Spec.Ports {
		ps = append(ps, fmt.Sprint(p.Port))
	}
	return strings.Join(ps, ", ")
}

// sharedCertificates reports HTTPS servers of one port of the workload,
// in different server blocks, with one certificate (credentialName): a
// browser that opened an HTTP/2 connection for one host reuses it for
// the other (the certificate covers both), and Envoy, which chose the
// filter chain by the first SNI, answers 404.
func (l *linter) sharedCertificates() {
	type srv struct {
		g *networkingv1.Gateway
		i int
	}
	by := map[string][]srv{}
	var keys []string
	for _, g := range l.gws {
		if !l.selects(g) {
			continue
		}
		for i, s := range g.Spec.Servers {
			if c := s.GetTls().GetCredentialName(); c != "" && rules.ServerScheme(s) == "https" {
				k := fmt.Sprintf("%d/%s", s.GetPort().GetNumber(), c)
				if _, ok := by[k]; !ok {
					keys = append(keys, k)
				}
				by[k] = append(by[k], srv{g, i})
			}
		}
	}
	for _, k := range keys {
		ss := by[k]
		if len(ss) < 2 {
			continue
		}
		first := ss[0]
		for _, s := range ss[1:] {
			if !l.in.InScope(s.g.Namespace, func(h string) bool { return gatewayServes(s.g, h) }) {
				continue
			}
			port, cred, _ := strings.Cut(k, "/")
			l.add(route.Finding{Code: route.CodeSharedCertificate, Kind: "Gateway", Namespace: s.g.Namespace, Name: s.g.Name,
				Message: fmt.Sprintf("server %d and Gateway %s/%s server %d both serve port %s with certificate %s: a browser reuses one HTTP/2 connection for both hosts and gets 404s",
					s.i, first.g.Namespace, first.g.Name, first.i, port, cred),
				Involves: []string{"Gateway " + first.g.Namespace + "/" + first.g.Name},
				Fix:      "put the hosts in one server block (one filter chain), or give each host its own certificate"})
		}
	}
}
