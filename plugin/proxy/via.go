package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/dial"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// gateway is the chosen way to the gateway, with the TLS it speaks.
type gateway struct {
	*dial.Gateway
	tls *tls.Config
}

// reach chooses direct (to the first outside address of r that answers)
// or a port-forward to its pods, as --via says, to its https port (with
// the TLS to speak) or its http one.
func (o *ProxyOptions) reach(ctx context.Context, r *route.Reach, https bool) (*gateway, error) {
	tlsCfg, err := o.tlsConfig(https)
	if err != nil {
		return nil, err
	}
	if err := o.trustToolCA(ctx, tlsCfg, r); err != nil {
		return nil, err
	}
	scheme := "http"
	if https {
		scheme = "https"
	}
	gw, err := dial.Open(ctx, dial.Options{Via: o.Via, Scheme: scheme, Tunnels: o.Tunnels, Clients: o.clients,
		Say:  cli.Line(o.ErrOut),
		Warn: func(s string) { cli.Warnf(o.ErrOut, "%s", s) },
		Logf: func(format string, args ...any) { fmt.Fprintf(o.ErrOut, format+"\n", args...) },
	}, r)
	if err != nil {
		return nil, err
	}
	return &gateway{Gateway: gw, tls: tlsCfg}, nil
}

// tlsConfig verifies the gateway with --gateway-ca-file, the system's CAs,
// or not at all with --gateway-insecure-skip-tls-verify; nil for http.
func (o *ProxyOptions) tlsConfig(https bool) (*tls.Config, error) {
	if !https {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.Insecure} //nolint:gosec // asked for
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading --%s: %w", flagGatewayCAFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("invalid --%s %q: expected PEM certificates", flagGatewayCAFile, o.CAFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// clickable is the listener's address as a browser can use it (loopback
// for a wildcard address).
func clickable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}
