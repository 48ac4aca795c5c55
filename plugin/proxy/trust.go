package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// trustToolCA adds the tool's CA (Secret expose-gw-ca where the gateway
// reads credentials) to the roots cfg verifies the gateway with, when a
// route reached serves the tool's certificate (--tls self-signed) and no
// --gateway-ca-file or --gateway-insecure-skip-tls-verify said otherwise:
// verification stays on, and needs no file.
func (o *ProxyOptions) trustToolCA(ctx context.Context, cfg *tls.Config, r *route.Reach) error {
	if cfg == nil || cfg.InsecureSkipVerify || cfg.RootCAs != nil || r.CredentialNamespace == "" {
		return nil
	}
	if !slices.ContainsFunc(r.Routes, route.Route.ServesToolCertificate) {
		return nil
	}
	ns := r.CredentialNamespace
	s, err := o.clients.Kube.CoreV1().Secrets(ns).Get(ctx, route.CASecretName, metav1.GetOptions{})
	if err != nil {
		// Not fatal: the system's CAs stay, and the error says what to do.
		cli.Warnf(o.ErrOut, "the route serves the tool's certificate, but its CA cannot be read (%v): verifying with the system's CAs; give --%s FILE (kubectl expose-gw SERVICE --tls self-signed --ca-out FILE writes it)",
			kube.ExplainAPIError(err, "get", "secrets"), flagGatewayCAFile)
		return nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(s.Data[corev1.TLSCertKey]) {
		return fmt.Errorf("Secret %s/%s: expected the tool's CA certificate (PEM) under %s", ns, route.CASecretName, corev1.TLSCertKey)
	}
	cfg.RootCAs = pool
	fmt.Fprintf(o.ErrOut, "Verifying the gateway's certificate with the tool's CA (Secret %s/%s)\n", ns, route.CASecretName)
	return nil
}
