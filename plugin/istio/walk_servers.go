package istio

import (
	"context"
	"fmt"
	"slices"
	"strings"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/rules"
)

var getOptions = metav1.GetOptions{}

// walk is one explain's state past the listener.
type walk struct {
	e       *route.Explanation
	in      *route.ExplainInput
	servers []listenerServer
	vss     []*networkingv1.VirtualService
	wl      map[string]string
	wlNS    string
}

// serversFor are the servers whose routes the request meets: for http
// every plain HTTP server on the listener (they share one route
// configuration), for https the one terminating server the SNI picks
// (exact name, then the longest wildcard, then a server of "*"). false
// when none: the connection fails (e.Outcome is no-server).
func (w *walk) serversFor() ([]listenerServer, bool) {
	var http, https []listenerServer
	for _, s := range w.servers {
		switch rules.ServerScheme(s.srv) {
		case "http":
			http = append(http, s)
		case "https":
			https = append(https, s)
		}
	}
	port := w.e.Gateway.Port
	if w.in.Scheme == "http" {
		if len(http) == 0 {
			w.noServer(fmt.Sprintf("no Gateway serves plain HTTP on port %d of the gateway", port), https, "https")
			return nil, false
		}
		// They share one route configuration; name the one whose hosts
		// take the Host, as for an SNI.
		named, ok := bySNI(http, w.in.Host)
		if !ok {
			named = http[0]
		}
		w.setServer(named)
		w.e.Hop("listener %d: %d HTTP server(s); for Host %q: %s", w.e.Gateway.TargetPort, len(http), w.in.Host, serverName(named))
		return http, true
	}
	if len(https) == 0 {
		w.noServer(fmt.Sprintf("no Gateway serves HTTPS on port %d of the gateway", port), http, "http")
		return nil, false
	}
	s, ok := bySNI(https, w.in.Host)
	if !ok {
		var hosts []string
		for _, s := range https {
			hosts = append(hosts, s.srv.Hosts...)
		}
		w.e.Outcome = route.OutcomeNoServer
		w.e.Reason = fmt.Sprintf("no HTTPS server on port %d takes SNI %q: the TLS handshake fails", port, w.in.Host)
		w.e.Fix = "servers on this port take: " + strings.Join(hosts, ", ")
		w.e.Hop("listener %d: no server for SNI %q (servers take %s)", w.e.Gateway.TargetPort, w.in.Host, strings.Join(hosts, ", "))
		return nil, false
	}
	w.setServer(s)
	w.e.Hop("listener %d: SNI %q picks %s", w.e.Gateway.TargetPort, w.in.Host, serverName(s))
	return []listenerServer{s}, true
}

func (w *walk) noServer(reason string, others []listenerServer, scheme string) {
	w.e.Outcome = route.OutcomeNoServer
	w.e.Reason = reason + ": the connection fails"
	if len(others) > 0 {
		w.e.Fix = fmt.Sprintf("%s serves %s on this port: request %s://", serverName(others[0]), strings.ToUpper(scheme), scheme)
	} else {
		w.e.Fix = fmt.Sprintf("add a server on port %d to a Gateway selecting the gateway pods (kubectl expose-gw SERVICE does)", w.e.Gateway.Port)
	}
	w.e.Hop("listener %d: %s", w.e.Gateway.TargetPort, reason)
}

func (w *walk) setServer(s listenerServer) {
	i := s.index
	w.e.Server = &route.ExplainServer{Kind: "Gateway", APIVersion: "networking.istio.io/v1", Namespace: s.gw.Namespace, Name: s.gw.Name, Index: &i}
}

func serverName(s listenerServer) string {
	return fmt.Sprintf("Gateway %s/%s server %d (%s %d, hosts %s)", s.gw.Namespace, s.gw.Name, s.index,
		s.srv.GetPort().GetProtocol(), s.srv.GetPort().GetNumber(), strings.Join(s.srv.Hosts, ", "))
}

// bySNI is the server whose filter chain Envoy picks for sni.
func bySNI(servers []listenerServer, sni string) (listenerServer, bool) {
	chains := make([][]string, len(servers))
	for i, s := range servers {
		for _, h := range s.srv.Hosts {
			chains[i] = append(chains[i], rules.ParseServerHost(h).Host)
		}
	}
	if i := envoy.FilterChainFor(chains, sni); i >= 0 {
		return servers[i], true
	}
	return listenerServer{}, false
}

// credentialOK checks the certificate of an HTTPS server: its
// credentialName Secret must be in the gateway pods' namespace, or the
// handshake fails.
func (a *API) credentialOK(ctx context.Context, e *route.Explanation, chosen []listenerServer, wlNS string) bool {
	s := chosen[0]
	name := s.srv.GetTls().GetCredentialName()
	if rules.ServerScheme(s.srv) != "https" || name == "" {
		return true
	}
	_, err := a.c.Kube.CoreV1().Secrets(wlNS).Get(ctx, name, getOptions)
	switch {
	case apierrors.IsNotFound(err):
		e.Outcome = route.OutcomeNoServer
		e.Reason = fmt.Sprintf("the certificate Secret %s/%s of %s does not exist: the TLS handshake fails", wlNS, name, serverName(s))
		e.Fix = fmt.Sprintf("create Secret %s in namespace %s, the gateway pods' (kubectl -n %s create secret tls %s --cert=... --key=...)", name, wlNS, wlNS, name)
		e.Hop("certificate: Secret %s/%s missing", wlNS, name)
		return false
	case err == nil:
		e.Hop("certificate: Secret %s/%s", wlNS, name)
	}
	return true
}

// whyFirst says why one VirtualService's rule comes before another's in a
// merged virtual host: pilot merges them oldest first.
func whyFirst(vss []*networkingv1.VirtualService, wlNS string) func(w, l envoy.Origin) string {
	at := map[string]metav1.Time{}
	private := map[string]bool{}
	for _, vs := range vss {
		k := vs.Namespace + "/" + vs.Name
		at[k] = vs.CreationTimestamp
		to := vs.Spec.ExportTo
		private[k] = len(to) > 0 && !slices.Contains(to, "*")
	}
	return func(w, l envoy.Origin) string {
		if wk, lk := w.Namespace+"/"+w.Name, l.Namespace+"/"+l.Name; private[wk] && !private[lk] {
			return fmt.Sprintf("VirtualService %s is exported to the gateway's namespace %s by its exportTo, and pilot merges those before the public ones", wk, wlNS)
		}
		wt, lt := at[w.Namespace+"/"+w.Name], at[l.Namespace+"/"+l.Name]
		if wt.Equal(&lt) {
			return fmt.Sprintf("VirtualService %s/%s was created in the same second and comes first by name (Istio merges the oldest first)", w.Namespace, w.Name)
		}
		return fmt.Sprintf("VirtualService %s/%s is older (created %s; Istio merges the oldest first)", w.Namespace, w.Name, wt.UTC().Format("2006-01-02T15:04:05Z"))
	}
}
