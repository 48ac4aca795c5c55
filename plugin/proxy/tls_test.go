package proxy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

const testKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: %s
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
users:
- name: u
  user: {token: t}
`

// TestProxyTLSFlags: the gateway's TLS flags and kubectl's API server ones
// are read apart, and the deprecated spellings as the help says.
func TestProxyTLSFlags(t *testing.T) {
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(fmtKubeconfig("Y2EK")), 0o600))
	gwCA := filepath.Join(dir, "gw-ca.pem")
	require.NoError(t, os.WriteFile(gwCA, []byte("pem"), 0o600))
	kubeCA := filepath.Join(dir, "kube-ca.pem")
	require.NoError(t, os.WriteFile(kubeCA, []byte("kube pem"), 0o600))
	deprecatedInsecure := "Warning: --insecure-skip-tls-verify with --https is read as --gateway-insecure-skip-tls-verify, for the gateway only, as before: this is deprecated, use --gateway-insecure-skip-tls-verify; to skip verifying the API server's certificate instead, add --gateway-insecure-skip-tls-verify=false (the next release reads --insecure-skip-tls-verify for the API server only)\n"
	tests := []struct {
		name string
		args []string
		// The API server's setting, the gateway's, the gateway's CA file.
		kubeInsecure, gwInsecure bool
		gwCAFile                 string
		kubeCAFile               string
		warning, wantErr         string
	}{
		{name: "kubectl's flag without --https is the API server's",
			args: []string{"--insecure-skip-tls-verify"}, kubeInsecure: true},
		{name: "the gateway's flag is the gateway's",
			args: []string{"--https", "--gateway-insecure-skip-tls-verify"}, gwInsecure: true},
		{name: "both",
			args: []string{"--https", "--gateway-insecure-skip-tls-verify", "--insecure-skip-tls-verify"}, kubeInsecure: true, gwInsecure: true},
		{name: "API server not verified, gateway verified with its CA",
			args: []string{"--https", "--insecure-skip-tls-verify", "--gateway-ca-file", gwCA}, kubeInsecure: true, gwCAFile: gwCA},
		{name: "=false with a gateway CA",
			args: []string{"--https", "--insecure-skip-tls-verify=false", "--gateway-ca-file", gwCA}, gwCAFile: gwCA},
		{name: "=false alone with --https verifies both",
			args: []string{"--https", "--insecure-skip-tls-verify=false"}},
		{name: "gateway flag =false makes kubectl's flag the API server's",
			args: []string{"--https", "--insecure-skip-tls-verify", "--gateway-insecure-skip-tls-verify=false"}, kubeInsecure: true},
		{name: "deprecated: kubectl's flag with --https alone is the gateway's, as before",
			args: []string{"--https", "--insecure-skip-tls-verify"}, gwInsecure: true, warning: deprecatedInsecure},
		{name: "deprecated --ca-file",
			args: []string{"--https", "--ca-file", gwCA}, gwCAFile: gwCA, warning: "Warning: --ca-file is deprecated, use --gateway-ca-file\n"},
		{name: "--certificate-authority is the API server's",
			args: []string{"--https", "--certificate-authority", kubeCA, "--gateway-ca-file", gwCA}, kubeCAFile: kubeCA, gwCAFile: gwCA},
		{name: "--ca-file and --gateway-ca-file disagree",
			args:    []string{"--https", "--ca-file", "a.pem", "--gateway-ca-file", gwCA},
			wantErr: `--ca-file "a.pem" and --gateway-ca-file "` + gwCA + `": give --gateway-ca-file only (--ca-file is its deprecated name)`},
		{name: "gateway CA without --https",
			args:    []string{"--gateway-ca-file", gwCA},
			wantErr: "--gateway-insecure-skip-tls-verify and --gateway-ca-file are about the gateway's certificate: they need --https"},
		{name: "deprecated --ca-file without --https",
			args:    []string{"--ca-file", gwCA},
			warning: "Warning: --ca-file is deprecated, use --gateway-ca-file\n",
			wantErr: "--gateway-insecure-skip-tls-verify and --gateway-ca-file are about the gateway's certificate: they need --https"},
		{name: "gateway's flags exclude each other",
			args:    []string{"--https", "--gateway-ca-file", gwCA, "--gateway-insecure-skip-tls-verify"},
			wantErr: "--gateway-insecure-skip-tls-verify and --gateway-ca-file exclude each other: verify with the CA, or do not verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, out, errOut := genericiooptions.NewTestIOStreams()
			flags := kube.NewConfigFlags()
			root := &cobra.Command{Use: "expose-gw", SilenceErrors: true, SilenceUsage: true}
			flags.AddFlags(root.PersistentFlags())
			o := NewProxyOptions(flags, streams)
			cmd := newProxyCommand(o)
			cmd.RunE = func(cmd *cobra.Command, args []string) error { // no Run: it would connect
				if err := o.Complete(cmd, args); err != nil {
					return err
				}
				return o.Validate()
			}
			root.AddCommand(cmd)
			root.SetArgs(append([]string{"proxy", "--host", "flask.example.com", "--kubeconfig", kubeconfig}, tt.args...))
			err := root.ExecuteContext(context.Background())
			assert.Equal(t, tt.warning, errOut.String())
			assert.Empty(t, out.String())
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.gwInsecure, o.Insecure, "gateway insecure")
			assert.Equal(t, tt.gwCAFile, o.CAFile, "gateway CA file")
			cfg, err := flags.ToRESTConfig()
			require.NoError(t, err)
			assert.Equal(t, tt.kubeInsecure, cfg.Insecure, "API server insecure")
			if tt.kubeInsecure {
				assert.Empty(t, cfg.CAData, "the kubeconfig's CA is dropped, as kubectl does")
			} else if tt.kubeCAFile == "" {
				assert.Equal(t, "ca\n", string(cfg.CAData), "the kubeconfig's CA")
			}
			assert.Equal(t, tt.kubeCAFile, cfg.CAFile, "API server CA file")
		})
	}
}

func fmtKubeconfig(caData string) string {
	return string(bytes.ReplaceAll([]byte(testKubeconfig), []byte("%s"), []byte(caData)))
}
