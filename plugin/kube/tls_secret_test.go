package kube_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
)

// testKeyPair is a self-signed certificate for api.example.com and its
// key, PEM.
func testKeyPair(t *testing.T) (crt, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "api.example.com"},
		DNSNames: []string{"api.example.com"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}

// TestCheckTLSSecret: --tls-secret must name a certificate Istio can
// serve; the error says what is wrong and names the secret.
func TestCheckTLSSecret(t *testing.T) {
	crt, key := testKeyPair(t)
	_, otherKey := testKeyPair(t)
	secret := func(typ corev1.SecretType, data map[string][]byte) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "api-cert", Namespace: "istio-system"}, Type: typ, Data: data}
	}
	const pre = `invalid --tls-secret "api-cert": expected `
	tests := []struct {
		name    string
		secret  *corev1.Secret
		wantErr string
	}{
		{"kubernetes.io/tls", secret(corev1.SecretTypeTLS, map[string][]byte{"tls.crt": crt, "tls.key": key}), ""},
		{"Opaque with tls.crt and tls.key", secret(corev1.SecretTypeOpaque, map[string][]byte{"tls.crt": crt, "tls.key": key}), ""},
		{"Istio's generic cert and key", secret("", map[string][]byte{"cert": crt, "key": key, "cacert": crt}), ""},
		{"cert and key first, as Istio reads them", secret(corev1.SecretTypeTLS, map[string][]byte{"cert": crt, "key": otherKey, "tls.crt": crt, "tls.key": key}),
			pre + "key of secret istio-system/api-cert to be the PEM private key of its certificate (cert): tls: private key does not match public key"},
		{"empty cert and key: tls.crt and tls.key", secret(corev1.SecretTypeTLS, map[string][]byte{"cert": nil, "key": nil, "tls.crt": crt, "tls.key": key}), ""},
		{"Opaque with foo", secret(corev1.SecretTypeOpaque, map[string][]byte{"foo": []byte("bar")}),
			pre + "a TLS Secret (type kubernetes.io/tls, keys tls.crt and tls.key, or cert and key), but secret istio-system/api-cert of type Opaque has keys foo"},
		{"no type, no data", secret("", nil),
			pre + "a TLS Secret (type kubernetes.io/tls, keys tls.crt and tls.key, or cert and key), but secret istio-system/api-cert of type Opaque has no data"},
		{"only a certificate", secret(corev1.SecretTypeOpaque, map[string][]byte{"tls.crt": crt}),
			pre + "a TLS Secret (type kubernetes.io/tls, keys tls.crt and tls.key, or cert and key), but secret istio-system/api-cert of type Opaque has keys tls.crt"},
		{"empty values", secret(corev1.SecretTypeTLS, map[string][]byte{"tls.crt": nil, "tls.key": nil}),
			pre + "a certificate and its key in tls.crt and tls.key of secret istio-system/api-cert, but they are not both set"},
		{"not PEM", secret(corev1.SecretTypeTLS, map[string][]byte{"tls.crt": []byte("foo"), "tls.key": key}),
			pre + "a PEM certificate in tls.crt of secret istio-system/api-cert: no PEM CERTIFICATE block"},
		{"a key where the certificate goes", secret(corev1.SecretTypeTLS, map[string][]byte{"tls.crt": key, "tls.key": crt}),
			pre + "a PEM certificate in tls.crt of secret istio-system/api-cert: no PEM CERTIFICATE block"},
		{"a certificate that does not parse", secret(corev1.SecretTypeTLS, map[string][]byte{"tls.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}), "tls.key": key}),
			pre + "a PEM certificate in tls.crt of secret istio-system/api-cert: x509: malformed certificate"},
		{"a key of another certificate", secret(corev1.SecretTypeTLS, map[string][]byte{"tls.crt": crt, "tls.key": otherKey}),
			pre + "tls.key of secret istio-system/api-cert to be the PEM private key of its certificate (tls.crt): tls: private key does not match public key"},
		{"a key that is not PEM", secret(corev1.SecretTypeTLS, map[string][]byte{"tls.crt": crt, "tls.key": []byte("foo")}),
			pre + "tls.key of secret istio-system/api-cert to be the PEM private key of its certificate (tls.crt): tls: failed to find any PEM data in key input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := kube.CheckTLSSecret(tt.secret)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.wantErr)
		})
	}
}

// TestVerifyTLSSecret: a bad or missing Secret is an error (a warning for
// --dry-run=client); one that cannot be read, a warning.
func TestVerifyTLSSecret(t *testing.T) {
	bad := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bad", Namespace: "istio-system"}, Data: map[string][]byte{"foo": nil}}
	const badErr = `invalid --tls-secret "bad": expected a TLS Secret (type kubernetes.io/tls, keys tls.crt and tls.key, or cert and key), but secret istio-system/bad of type Opaque has keys foo`
	missing := errors.New("missing")
	tests := []struct {
		name, secret string
		warnOnly     bool
		forbidden    bool
		wantErr      string
		wantWarning  string
	}{
		{"bad", "bad", false, false, badErr, ""},
		{"bad, server dry run", "bad", false, false, badErr, ""},
		{"bad, client dry run", "bad", true, false, "", badErr},
		{"missing", "nope", false, false, "missing", ""},
		{"missing, client dry run", "nope", true, false, "", "missing"},
		{"forbidden", "bad", false, true, "",
			`cannot check --tls-secret "bad" in namespace istio-system: forbidden: you may not get secrets (ask for RBAC permission to "get" "secrets"): secrets "bad" is forbidden: no`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset(bad)
			if tt.forbidden {
				cs.PrependReactor("get", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
					return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "bad", errors.New("no"))
				})
			}
			warnings, err := kube.VerifyTLSSecret(context.Background(), kubelib.Kube(cs), "istio-system", tt.secret, missing, tt.warnOnly)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tt.wantErr)
			}
			assert.Equal(t, tt.wantWarning, strings.Join(warnings, "\n"))
		})
	}
}
