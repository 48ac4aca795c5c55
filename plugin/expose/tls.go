package expose

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/plugin/selfsigned"
)

// TLS modes of --tls.
const tlsSelfSigned = "self-signed"

// validateTLS reads --tls and --ca-out: self-signed makes the Secret
// --tls-secret would name (so the two exclude each other), for named
// hosts only.
func (o *ExposeOptions) validateTLS(r *route.Expose) error {
	switch {
	case o.TLS == "" && o.CAOut != "":
		return fmt.Errorf("--ca-out %q without --tls self-signed: there is no CA of the tool's to write", o.CAOut)
	case o.TLS == "":
		return nil
	case o.CAOut != "" && !isDir(filepath.Dir(o.CAOut)):
		return fmt.Errorf("invalid --ca-out %q: expected a file in an existing directory", o.CAOut)
	case o.TLS != tlsSelfSigned:
		return fmt.Errorf("invalid --tls %q: expected self-signed (a certificate from the tool's own CA), or --tls-secret NAME for a Secret of yours", o.TLS)
	case o.TLSSecret != "":
		return fmt.Errorf("--tls %s and --tls-secret %q both choose the certificate: give one", o.TLS, o.TLSSecret)
	case slices.Contains(r.Hosts, "*"):
		return fmt.Errorf(`--tls self-signed for host "*": a certificate names its hosts: give --host NAME (a *.domain wildcard is fine)`)
	}
	r.TLSSelfSigned, r.TLSSecret = true, selfsigned.LeafSecret(r.Hosts)
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
