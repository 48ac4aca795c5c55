package kube

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// verifyTLSSecret reads the --tls-secret name in ns, where Istio reads it,
// and checks it (checkTLSSecret); missing is the error for no such Secret.
// A missing or unusable Secret is an error, a warning for
// --dry-run=client; one that cannot be read (e.g. forbidden) a warning.
func VerifyTLSSecret(ctx context.Context, c Kube, ns, name string, missing error, warnOnly bool) (warnings []string, err error) {
	s, err := c.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		err = CheckTLSSecret(s)
	case apierrors.IsNotFound(err):
		err = missing
	default:
		return []string{fmt.Sprintf("cannot check --tls-secret %q in namespace %s: %v", name, ns, ExplainAPIError(err, "get", "secrets"))}, nil
	}
	if err != nil && warnOnly {
		return []string{err.Error()}, nil
	}
	return nil, err
}

// Istio's generic Secret keys: a credentialName Secret holds cert and key,
// else tls.crt and tls.key (kubernetes.io/tls), in that order (Istio's
// ExtractCertInfo).
const (
	genericCertKey = "cert"
	genericKeyKey  = "key"
)

// checkTLSSecret tells whether s, the Secret --tls-secret names, is a
// certificate Istio can serve: a certificate and its private key under
// the keys Istio reads, the certificate PEM that parses, the key pairing
// with it. The error names the secret and what is wrong. Pure.
func CheckTLSSecret(s *corev1.Secret) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("invalid --tls-secret %q: expected "+format, append([]any{s.Name}, a...)...)
	}
	pairs := [][2]string{{genericCertKey, genericKeyKey}, {corev1.TLSCertKey, corev1.TLSPrivateKeyKey}}
	var crtKey, keyKey string
	for _, p := range pairs { // the first pair with values, as Istio reads them
		if len(s.Data[p[0]]) > 0 && len(s.Data[p[1]]) > 0 {
			crtKey, keyKey = p[0], p[1]
			break
		}
	}
	if crtKey == "" {
		for _, p := range pairs {
			_, crt := s.Data[p[0]]
			_, key := s.Data[p[1]]
			if crt && key {
				return bad("a certificate and its key in %s and %s of secret %s/%s, but they are not both set", p[0], p[1], s.Namespace, s.Name)
			}
		}
		return bad("a TLS Secret (type %s, keys %s and %s, or %s and %s), but secret %s/%s of type %s has %s",
			corev1.SecretTypeTLS, corev1.TLSCertKey, corev1.TLSPrivateKeyKey, genericCertKey, genericKeyKey,
			s.Namespace, s.Name, secretType(s), secretKeys(s))
	}
	crt, key := s.Data[crtKey], s.Data[keyKey]
	if err := parseCertificate(crt); err != nil {
		return bad("a PEM certificate in %s of secret %s/%s: %w", crtKey, s.Namespace, s.Name, err)
	}
	if _, err := tls.X509KeyPair(crt, key); err != nil {
		return bad("%s of secret %s/%s to be the PEM private key of its certificate (%s): %w", keyKey, s.Namespace, s.Name, crtKey, err)
	}
	return nil
}

// parseCertificate parses the first CERTIFICATE block of PEM data.
func parseCertificate(data []byte) error {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return fmt.Errorf("no PEM CERTIFICATE block")
		}
		if b.Type == "CERTIFICATE" {
			_, err := x509.ParseCertificate(b.Bytes)
			return err
		}
	}
}

func secretType(s *corev1.Secret) corev1.SecretType {
	if s.Type == "" {
		return corev1.SecretTypeOpaque
	}
	return s.Type
}

// secretKeys names a Secret's data keys: "keys a, b" or "no data".
func secretKeys(s *corev1.Secret) string {
	keys := make([]string, 0, len(s.Data))
	for k := range s.Data {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return "no data"
	}
	slices.Sort(keys)
	return "keys " + strings.Join(keys, ", ")
}
