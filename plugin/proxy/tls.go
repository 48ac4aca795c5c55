package proxy

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
)

// The proxy's flags about the gateway's certificate. They are named apart
// from kubectl's --insecure-skip-tls-verify and --certificate-authority,
// which configure the API server connection (kube.ConfigFlags).
const (
	flagGatewayInsecure = "gateway-insecure-skip-tls-verify"
	flagGatewayCAFile   = "gateway-ca-file"
	flagKubeInsecure    = "insecure-skip-tls-verify"
)

// completeTLSFlags reads the deprecated spellings of the gateway TLS flags,
// warning on stderr (cobra's MarkDeprecated would print on stdout):
//
//   - --ca-file is --gateway-ca-file.
//   - --insecure-skip-tls-verify is kubectl's flag, for the API server. The
//     previous release read it, on proxy, for the gateway only. So that a
//     script written for it does not silently stop verifying the API server
//     instead, --insecure-skip-tls-verify given with --https and no
//     --gateway-* TLS flag is still read for the gateway only, for one
//     release. With any --gateway-* TLS flag (even
//     --gateway-insecure-skip-tls-verify=false), or without --https, it is
//     the API server's.
func (o *ProxyOptions) completeTLSFlags(f *pflag.FlagSet) error {
	changed := func(name string) bool { fl := f.Lookup(name); return fl != nil && fl.Changed }
	if changed("ca-file") {
		if changed(flagGatewayCAFile) && o.CAFile != o.oldCAFile {
			return fmt.Errorf("--ca-file %q and --%s %q: give --%s only (--ca-file is its deprecated name)", o.oldCAFile, flagGatewayCAFile, o.CAFile, flagGatewayCAFile)
		}
		o.CAFile = o.oldCAFile
		cli.Warnf(o.ErrOut, "--ca-file is deprecated, use --%s", flagGatewayCAFile)
	}
	if !changed(flagKubeInsecure) || !o.HTTPS || changed(flagGatewayInsecure) || changed(flagGatewayCAFile) || changed("ca-file") {
		return nil
	}
	if o.Flags == nil || !o.Flags.Overrides.ClusterInfo.InsecureSkipTLSVerify {
		return nil // --insecure-skip-tls-verify=false: verify both, as either reading does
	}
	o.Flags.Overrides.ClusterInfo.InsecureSkipTLSVerify = false
	o.Insecure = true
	cli.Warnf(o.ErrOut, "--%s with --https is read as --%s, for the gateway only, as before: this is deprecated, use --%s; to skip verifying the API server's certificate instead, add --%s=false (the next release reads --%s for the API server only)",
		flagKubeInsecure, flagGatewayInsecure, flagGatewayInsecure, flagGatewayInsecure, flagKubeInsecure)
	return nil
}

// validateTLSFlags checks the gateway TLS flags.
func (o *ProxyOptions) validateTLSFlags() error {
	if !o.HTTPS && (o.Insecure || o.CAFile != "") {
		return fmt.Errorf("--%s and --%s are about the gateway's certificate: they need --https", flagGatewayInsecure, flagGatewayCAFile)
	}
	if o.Insecure && o.CAFile != "" {
		return fmt.Errorf("--%s and --%s exclude each other: verify with the CA, or do not verify", flagGatewayInsecure, flagGatewayCAFile)
	}
	if o.CAFile != "" {
		if _, err := os.Stat(o.CAFile); err != nil {
			return fmt.Errorf("invalid --%s %q: %w", flagGatewayCAFile, o.CAFile, err)
		}
	}
	return nil
}
