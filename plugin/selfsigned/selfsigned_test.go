package selfsigned

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func cert(t *testing.T, b []byte) *x509.Certificate {
	t.Helper()
	blk, _ := pem.Decode(b)
	require.NotNil(t, blk)
	c, err := x509.ParseCertificate(blk.Bytes)
	require.NoError(t, err)
	return c
}

// TestIssueChainsToTheCA: a certificate for exactly the hosts, ECDSA
// P-256, that a client trusting only the CA verifies for each host and
// for no other.
func TestIssueChainsToTheCA(t *testing.T) {
	ca, err := NewCA(now)
	require.NoError(t, err)
	assert.Empty(t, CAUsable(ca, now))
	leaf, err := Issue(ca, []string{"shop.example.com", "*.shop.example.com"}, now)
	require.NoError(t, err)
	c := cert(t, leaf.Cert)
	assert.Equal(t, []string{"shop.example.com", "*.shop.example.com"}, c.DNSNames)
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	require.True(t, ok)
	assert.Equal(t, elliptic.P256(), pub.Curve)
	roots := x509.NewCertPool()
	roots.AddCert(cert(t, ca.Cert))
	for _, h := range []string{"shop.example.com", "api.shop.example.com"} {
		_, err := c.Verify(x509.VerifyOptions{Roots: roots, DNSName: h, CurrentTime: now})
		assert.NoError(t, err, h)
	}
	_, err = c.Verify(x509.VerifyOptions{Roots: roots, DNSName: "other.example.com", CurrentTime: now})
	assert.Error(t, err)
	_, err = c.Verify(x509.VerifyOptions{Roots: x509.NewCertPool(), DNSName: "shop.example.com", CurrentTime: now})
	assert.Error(t, err, "not trusted without the CA")
	assert.Empty(t, LeafUsable(leaf, ca, []string{"*.shop.example.com", "shop.example.com"}, now), "the order of hosts does not matter")
	assert.Equal(t, "for shop.example.com,*.shop.example.com, not shop.example.com", LeafUsable(leaf, ca, []string{"shop.example.com"}, now))
	other, err := NewCA(now)
	require.NoError(t, err)
	assert.Equal(t, "not signed by the CA", LeafUsable(leaf, other, []string{"shop.example.com", "*.shop.example.com"}, now))
	assert.Contains(t, LeafUsable(leaf, ca, []string{"shop.example.com", "*.shop.example.com"}, now.Add(LeafValidity-RenewBefore+time.Hour)), "expires ")
}

// applied is what the cluster holds after changes.
func applied(changes []route.Change) map[string]*corev1.Secret {
	out := map[string]*corev1.Secret{}
	for _, c := range changes {
		out[c.Object.GetName()] = c.Object.(*corev1.Secret)
	}
	return out
}

func ops(changes []route.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.Object.GetName()+" "+string(c.Op))
	}
	return out
}

// TestPlan: made once, unchanged when run again, renewed when expiring,
// reissued for other hosts, and never a Secret the tool did not make.
func TestPlan(t *testing.T) {
	hosts := []string{"shop.example.com"}
	leafName := LeafSecret(hosts)
	assert.Equal(t, "expose-gw-tls-shop.example.com-951623a2", leafName)
	changes, caPEM, err := Plan("istio-system", hosts, nil, nil, now)
	require.NoError(t, err)
	assert.Equal(t, []string{"expose-gw-ca created", leafName + " created"}, ops(changes))
	s := applied(changes)
	assert.Equal(t, caPEM, s[CASecret].Data[corev1.TLSCertKey])
	assert.Equal(t, corev1.SecretTypeTLS, s[CASecret].Type)
	assert.True(t, route.IsManaged(s[CASecret]) && route.IsManaged(s[leafName]))
	assert.Equal(t, "istio-system", s[leafName].Namespace)

	again, caPEM2, err := Plan("istio-system", hosts, s[CASecret], s[leafName], now.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"expose-gw-ca unchanged", leafName + " unchanged"}, ops(again))
	assert.Equal(t, caPEM, caPEM2)

	late := now.Add(LeafValidity - RenewBefore + time.Hour)
	renewed, _, err := Plan("istio-system", hosts, s[CASecret], s[leafName], late)
	require.NoError(t, err)
	assert.Equal(t, []string{"expose-gw-ca unchanged", leafName + " configured"}, ops(renewed))
	assert.True(t, cert(t, applied(renewed)[leafName].Data[corev1.TLSCertKey]).NotAfter.After(late.Add(RenewBefore)))

	// Other hosts: another Secret, never the first one's.
	more := []string{"shop.example.com", "api.example.com"}
	assert.NotEqual(t, leafName, LeafSecret(more))
	assert.Equal(t, LeafSecret(more), LeafSecret([]string{"api.example.com", "shop.example.com"}), "the order of hosts does not matter")
	assert.NotEqual(t, LeafSecret([]string{"*.x.com"}), LeafSecret([]string{"any.x.com"}))
	mc, _, err := Plan("istio-system", more, s[CASecret], nil, now)
	require.NoError(t, err)
	assert.Equal(t, []string{"expose-gw-ca unchanged", LeafSecret(more) + " created"}, ops(mc))

	theirs := s[CASecret].DeepCopy()
	theirs.Labels = nil
	_, _, err = Plan("istio-system", hosts, theirs, nil, now)
	assert.EqualError(t, err, "Secret istio-system/expose-gw-ca exists and was not made by kubectl expose-gw (no label app.kubernetes.io/managed-by=kubectl-expose-gw): expected the tool's own, left as it is: delete or rename it to let the tool make its CA, or give --tls-secret NAME")
	leafTheirs := s[leafName].DeepCopy()
	leafTheirs.Labels = nil
	_, _, err = Plan("istio-system", hosts, s[CASecret], leafTheirs, now)
	assert.ErrorContains(t, err, "Secret istio-system/"+leafName+" exists and was not made by kubectl expose-gw")
	_, _, err = Plan("istio-system", []string{"*"}, nil, nil, now)
	assert.ErrorContains(t, err, `--tls self-signed for host "*"`)
}
