package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// testCA signs the certificates of the TLS Secrets tests create; the
// Istio-driven gateway presents a Secret's certificate as Envoy does
// (credentialName), so a client trusting CAFile() verifies it.
type testCA struct {
	once sync.Once
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
	err  error
}

var ca testCA

func (c *testCA) init() error {
	c.once.Do(func() {
		c.key, c.err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if c.err != nil {
			return
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "expose-gw test CA"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(7 * 24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &c.key.PublicKey, c.key)
		if err != nil {
			c.err = err
			return
		}
		c.cert, c.err = x509.ParseCertificate(der)
		c.pem = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	})
	return c.err
}

// CAFile is the path of the test CA's certificate (PEM), for --ca-file.
func (e *Env) CAFile() string {
	e.t.Helper()
	if err := ca.init(); err != nil {
		e.t.Fatal(err)
	}
	p := filepath.Join(e.Dir, "test-ca.pem")
	if _, err := os.Stat(p); err != nil {
		if err := os.WriteFile(p, ca.pem, 0o600); err != nil {
			e.t.Fatal(err)
		}
	}
	return p
}

// CAPool is the test CA as a pool, for Go clients.
func (e *Env) CAPool() *x509.CertPool {
	e.t.Helper()
	if err := ca.init(); err != nil {
		e.t.Fatal(err)
	}
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// CreateTLSSecret creates a kubernetes.io/tls Secret in ns whose
// certificate, signed by the test CA, is valid for names (DNS names,
// wildcards or IPs).
func (e *Env) CreateTLSSecret(ns, name string, names ...string) *corev1.Secret {
	e.t.Helper()
	if err := ca.init(); err != nil {
		e.t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		e.t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(7 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		e.t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		e.t.Fatal(err)
	}
	e.EnsureNamespace(ns)
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{
			corev1.TLSCertKey:       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			corev1.TLSPrivateKeyKey: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}),
		},
	}
	s, err = e.Kube.CoreV1().Secrets(ns).Create(e.Ctx(), s, metav1.CreateOptions{})
	if err != nil {
		e.t.Fatalf("creating secret %s/%s: %v", ns, name, err)
	}
	return s
}
