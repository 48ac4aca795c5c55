package selfsigned

import (
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// CASecret is the name of the tool's CA Secret.
const CASecret = route.CASecretName

// LeafSecret is the name of the certificate Secret of exactly hosts, in
// any order: expose-gw-tls-FIRST-HASH, FIRST the first host in order
// ("*" written "any"), HASH a short hash of them all, so that two sets of
// hosts never share a Secret.
func LeafSecret(hosts []string) string {
	sorted := slices.Clone(hosts)
	slices.Sort(sorted)
	return route.Shorten(route.LeafSecretPrefix+route.HostSlug(sorted[0])+"-"+route.ShortHash(strings.Join(sorted, ",")), 253)
}

// Plan is the Secrets of --tls self-signed in ns: the CA (ca, nil when
// there is none: made; kept while it can sign) and the certificate for
// exactly hosts (leaf, nil when there is none: issued; kept while it is
// for those hosts, signed by the CA and not expiring within RenewBefore).
// A Secret of either name the tool did not make is an error: it is never
// overwritten. It returns the changes and the CA's certificate (PEM).
func Plan(ns string, hosts []string, ca, leaf *corev1.Secret, now time.Time) ([]route.Change, []byte, error) {
	for _, h := range hosts {
		if h == "*" {
			return nil, nil, fmt.Errorf("--tls self-signed for host \"*\": a certificate names its hosts: give --host NAME (a *.domain wildcard is fine)")
		}
	}
	var changes []route.Change
	caPair, change, err := planCA(ns, ca, now)
	if err != nil {
		return nil, nil, err
	}
	changes = append(changes, change)
	name := LeafSecret(hosts)
	if leaf != nil && !route.IsManaged(leaf) {
		return nil, nil, notOurs(leaf, "give --tls-secret "+leaf.Name+" to serve it, or another --host")
	}
	if leaf != nil && LeafUsable(pairOf(leaf), caPair, hosts, now) == "" && change.Op == route.OpUnchanged {
		return append(changes, route.ChangeOf(route.OpUnchanged, leaf, leaf)), caPair.Cert, nil
	}
	p, err := Issue(caPair, hosts, now)
	if err != nil {
		return nil, nil, err
	}
	return append(changes, secretChange(ns, name, p, leaf)), caPair.Cert, nil
}

// planCA keeps the tool's CA while it can sign, else makes one.
func planCA(ns string, ca *corev1.Secret, now time.Time) (Pair, route.Change, error) {
	if ca != nil && !route.IsManaged(ca) {
		return Pair{}, route.Change{}, notOurs(ca, "delete or rename it to let the tool make its CA, or give --tls-secret NAME")
	}
	if ca != nil && CAUsable(pairOf(ca), now) == "" {
		return pairOf(ca), route.ChangeOf(route.OpUnchanged, ca, ca), nil
	}
	p, err := NewCA(now)
	if err != nil {
		return Pair{}, route.Change{}, err
	}
	return p, secretChange(ns, CASecret, p, ca), nil
}

func notOurs(s *corev1.Secret, what string) error {
	return fmt.Errorf("Secret %s/%s exists and was not made by kubectl expose-gw (no label %s=%s): expected the tool's own, left as it is: %s",
		s.Namespace, s.Name, route.ManagedByLabel, route.ManagedBy, what)
}

// pairOf reads a kubernetes.io/tls Secret.
func pairOf(s *corev1.Secret) Pair {
	return Pair{Cert: s.Data[corev1.TLSCertKey], Key: s.Data[corev1.TLSPrivateKeyKey]}
}

// secretChange creates the Secret ns/name holding p, or replaces before's
// data (keeping its metadata, for the write's preconditions).
func secretChange(ns, name string, p Pair, before *corev1.Secret) route.Change {
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: route.ManagedLabels()},
		Type:       corev1.SecretTypeTLS,
	}
	if before != nil {
		s = before.DeepCopy()
	}
	s.Data = map[string][]byte{corev1.TLSCertKey: p.Cert, corev1.TLSPrivateKeyKey: p.Key}
	if before == nil {
		return route.ChangeOf(route.OpCreate, s, nil)
	}
	return route.ChangeOf(route.OpUpdate, s, before)
}
