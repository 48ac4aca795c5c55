package expose

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/expose-gw/kubectl-expose-gw/plugin/certmanager"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/selfsigned"
)

// TLS modes of --tls.
const (
	tlsSelfSigned  = "self-signed"
	tlsCertManager = "cert-manager"
)

// validateTLS reads --tls, --ca-out and --issuer: self-signed and
// cert-manager make the Secret --tls-secret would name (so the three
// exclude each other), for named hosts only.
func (o *ExposeOptions) validateTLS(r *route.Expose) error {
	switch {
	case o.TLS != tlsSelfSigned && o.CAOut != "":
		return fmt.Errorf("--ca-out %q without --tls self-signed: there is no CA of the tool's to write", o.CAOut)
	case o.TLS != tlsCertManager && o.Issuer != "":
		return fmt.Errorf("--issuer %q without --tls cert-manager: it names the cert-manager issuer of --tls cert-manager", o.Issuer)
	case o.TLS == "":
		return nil
	case o.TLS != tlsSelfSigned && o.TLS != tlsCertManager:
		return fmt.Errorf("invalid --tls %q: expected self-signed (a certificate from the tool's own CA) or cert-manager (one issued by cert-manager, with --issuer), or --tls-secret NAME for a Secret of yours", o.TLS)
	case o.TLSSecret != "":
		return fmt.Errorf("--tls %s and --tls-secret %q both choose the certificate: give one", o.TLS, o.TLSSecret)
	case slices.Contains(r.Hosts, "*"):
		return fmt.Errorf(`--tls %s for host "*": a certificate names its hosts: give --host NAME (a *.domain wildcard is fine)`, o.TLS)
	case o.TLS == tlsCertManager:
		return o.validateCertManager(r)
	case o.CAOut != "" && !isDir(filepath.Dir(o.CAOut)):
		return fmt.Errorf("invalid --ca-out %q: expected a file in an existing directory", o.CAOut)
	}
	r.TLSSelfSigned, r.TLSSecret = true, selfsigned.LeafSecret(r.Hosts)
	return nil
}

// validateCertManager reads --issuer for --tls cert-manager.
func (o *ExposeOptions) validateCertManager(r *route.Expose) error {
	if o.Issuer == "" {
		return fmt.Errorf("--tls cert-manager needs --issuer [ClusterIssuer/|Issuer/]NAME: the cert-manager issuer that signs the certificate")
	}
	iss, err := certmanager.ParseIssuer(o.Issuer)
	if err != nil {
		return err
	}
	r.TLSCertManager, r.TLSSecret = true, certmanager.SecretName(r.Hosts)
	r.IssuerKind, r.IssuerName = iss.Kind, iss.Name
	return nil
}

// sayCA writes the CA that signed a --tls self-signed certificate to
// --ca-out, else prints it on stderr when it was just made, with how to
// trust it.
func (o *ExposeOptions) sayCA(ca *route.CA) error {
	if ca == nil || len(ca.PEM) == 0 {
		return nil
	}
	if o.CAOut != "" {
		if err := os.WriteFile(o.CAOut, ca.PEM, 0o644); err != nil {
			return fmt.Errorf("--ca-out %q: %w", o.CAOut, err)
		}
		fmt.Fprintf(o.ErrOut, "The certificate of the CA that signed it (Secret %s) is in %s: curl --cacert %s …\n", ca.Secret, o.CAOut, o.CAOut)
		return nil
	}
	if ca.Created {
		fmt.Fprintf(o.ErrOut, "The tool's CA (Secret %s) signed it; trust it with curl --cacert (--ca-out FILE writes it):\n%s", ca.Secret, ca.PEM)
	}
	return nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
