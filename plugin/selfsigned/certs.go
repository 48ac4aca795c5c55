// Package selfsigned is `--tls self-signed`: a small local CA, once per
// cluster (a Secret expose-gw-ca labelled as the tool's), and a
// certificate for exactly a route's hosts signed by it, both ECDSA P-256
// made with the standard library. Plan is pure: it plans the Secrets from
// the ones that exist; PlanIn reads them; the caller's transaction writes
// them.
package selfsigned

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Validity of what is made, and when a certificate is renewed: re-running
// expose renews one that expires within RenewBefore.
const (
	CAValidity   = 10 * 365 * 24 * time.Hour
	LeafValidity = 397 * 24 * time.Hour // browsers' limit for a server certificate
	RenewBefore  = 30 * 24 * time.Hour
)

// Pair is a certificate and its key, PEM.
type Pair struct {
	Cert, Key []byte
}

// parse reads the pair's certificate and key; the key must match.
func (p Pair) parse() (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cb, _ := pem.Decode(p.Cert)
	kb, _ := pem.Decode(p.Key)
	if cb == nil || kb == nil {
		return nil, nil, errors.New("not PEM")
	}
	c, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	k, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	if !k.PublicKey.Equal(c.PublicKey) {
		return nil, nil, errors.New("the key does not match the certificate")
	}
	return c, k, nil
}

// NewCA makes a CA certificate valid from now for CAValidity.
func NewCA(now time.Time) (Pair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Pair{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "expose-gw local CA", Organization: []string{"kubectl expose-gw"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return Pair{}, err
	}
	return encode(der, key)
}

// Issue makes a server certificate for exactly hosts (its DNS names; the
// first is its common name), signed by ca, valid from now for
// LeafValidity.
func Issue(ca Pair, hosts []string, now time.Time) (Pair, error) {
	caCert, caKey, err := ca.parse()
	if err != nil {
		return Pair{}, fmt.Errorf("the CA: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Pair{}, err
	}
	notAfter := now.Add(LeafValidity)
	if caCert.NotAfter.Before(notAfter) {
		notAfter = caCert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: hosts[0]},
		DNSNames:     slices.Clone(hosts),
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return Pair{}, err
	}
	return encode(der, key)
}

func encode(der []byte, key *ecdsa.PrivateKey) (Pair, error) {
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return Pair{}, err
	}
	return Pair{
		Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		Key:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}),
	}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n
}

// CAUsable says why ca cannot sign for a while longer ("" when it can):
// not a CA, unreadable, or expiring within RenewBefore.
func CAUsable(ca Pair, now time.Time) string {
	c, _, err := ca.parse()
	switch {
	case err != nil:
		return "unreadable: " + err.Error()
	case !c.IsCA:
		return "not a CA certificate"
	case c.NotAfter.Before(now.Add(RenewBefore)):
		return "expires " + c.NotAfter.UTC().Format(time.DateOnly)
	}
	return ""
}

// LeafUsable says why leaf must be issued again ("" when it need not):
// unreadable, not signed by ca, not for exactly hosts, expiring within
// RenewBefore.
func LeafUsable(leaf, ca Pair, hosts []string, now time.Time) string {
	c, _, err := leaf.parse()
	if err != nil {
		return "unreadable: " + err.Error()
	}
	caCert, _, err := ca.parse()
	if err != nil {
		return "the CA is unreadable"
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	if _, err := c.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: now}); err != nil {
		return "not signed by the CA"
	}
	if !sameHosts(c.DNSNames, hosts) {
		return fmt.Sprintf("for %s, not %s", strings.Join(c.DNSNames, ","), strings.Join(hosts, ","))
	}
	if c.NotAfter.Before(now.Add(RenewBefore)) {
		return "expires " + c.NotAfter.UTC().Format(time.DateOnly)
	}
	return ""
}

func sameHosts(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
