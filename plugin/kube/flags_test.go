package kube

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
)

// The library's ConfigFlags, which ConfigFlags stands in for.
func libraryFlags() (*genericclioptions.ConfigFlags, *pflag.FlagSet) {
	lib := genericclioptions.NewConfigFlags(true)
	fs := pflag.NewFlagSet("library", pflag.ContinueOnError)
	lib.AddFlags(fs)
	return lib, fs
}

func ourFlags() (*ConfigFlags, *pflag.FlagSet) {
	f := NewConfigFlags()
	fs := pflag.NewFlagSet("ours", pflag.ContinueOnError)
	f.AddFlags(fs)
	return f, fs
}

// TestFlagsAreConfigFlags: the same flag names, shorthands, types and
// defaults as cli-runtime's ConfigFlags (but --cache-dir's default, a
// folder the tool does not use).
func TestFlagsAreConfigFlags(t *testing.T) {
	type flag struct{ Shorthand, Type, Default string }
	set := func(fs *pflag.FlagSet) map[string]flag {
		out := map[string]flag{}
		fs.VisitAll(func(f *pflag.Flag) {
			def := f.DefValue
			if f.Name == "cache-dir" {
				def = ""
			}
			out[f.Name] = flag{f.Shorthand, f.Value.Type(), def}
		})
		return out
	}
	_, lib := libraryFlags()
	_, ours := ourFlags()
	require.Len(t, set(lib), 20, "the library's flag count changed: look again")
	assert.Equal(t, set(lib), set(ours))
}

const kubeconfig = `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster: {server: "https://dev.example.com:6443", certificate-authority-data: Y2EK}
- name: prod
  cluster: {server: "https://prod.example.com", tls-server-name: api.prod}
users:
- name: alice
  user: {token: alice-token}
- name: bob
  user: {token: bob-token}
contexts:
- name: dev
  context: {cluster: dev, user: alice, namespace: team-a}
- name: prod
  context: {cluster: prod, user: bob}
`

// TestFlagsConfigureAsConfigFlags: for the same command line, the same REST
// config and namespace as cli-runtime's ConfigFlags.
func TestFlagsConfigureAsConfigFlags(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(path, []byte(kubeconfig), 0o600))
	for _, name := range []string{"ca.pem", "c.pem", "k.pem"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(name+"\n"), 0o600))
	}
	for _, args := range [][]string{
		{},
		{"--context", "prod"},
		{"-n", "shop"},
		{"--namespace=shop", "--context=prod"},
		{"--cluster", "prod"},
		{"--user", "bob", "--token", "override"},
		{"-s", "https://other.example.com:8443", "--insecure-skip-tls-verify"},
		{"--server=https://other.example.com", "--tls-server-name", "api.other", "--certificate-authority", "DIR/ca.pem"},
		{"--as", "carol", "--as-group", "g1", "--as-group", "g2", "--as-uid", "42", "--as-user-extra", "k=v1", "--as-user-extra", "k=v2", "--as-user-extra", "novalue"},
		{"--client-certificate", "DIR/c.pem", "--client-key", "DIR/k.pem"},
		{"--request-timeout", "5s", "--disable-compression"},
		{"--proxy-url", "http://127.0.0.1:3128"},
	} {
		t.Run(fmtArgs(args), func(t *testing.T) {
			lib, libFS := libraryFlags()
			ours, ourFS := ourFlags()
			args = append([]string{"--kubeconfig", path}, args...)
			for i := range args {
				args[i] = strings.ReplaceAll(args[i], "DIR", dir)
			}
			require.NoError(t, libFS.Parse(args))
			require.NoError(t, ourFS.Parse(args))

			want, err := lib.ToRESTConfig()
			require.NoError(t, err)
			got, err := ours.ToRESTConfig()
			require.NoError(t, err)
			assertSameConfig(t, want, got)

			wantNS, wantExplicit, err := lib.ToRawKubeConfigLoader().Namespace()
			require.NoError(t, err)
			gotNS, gotExplicit, err := ours.ToRawKubeConfigLoader().Namespace()
			require.NoError(t, err)
			assert.Equal(t, wantNS, gotNS)
			assert.Equal(t, wantExplicit, gotExplicit)

			wantRaw, err := lib.ToRawKubeConfigLoader().RawConfig()
			require.NoError(t, err)
			gotRaw, err := ours.ToRawKubeConfigLoader().RawConfig()
			require.NoError(t, err)
			assert.Equal(t, wantRaw.CurrentContext, gotRaw.CurrentContext)
		})
	}
}

// TestFlagsWithoutKubeconfig: no kubeconfig at all gives ConfigFlags'
// localhost:8080 default.
func TestFlagsWithoutKubeconfig(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "missing"))
	t.Setenv("HOME", t.TempDir())
	lib, _ := libraryFlags()
	ours, _ := ourFlags()
	want, wantErr := lib.ToRESTConfig()
	got, gotErr := ours.ToRESTConfig()
	assert.Equal(t, wantErr, gotErr)
	if wantErr == nil {
		assertSameConfig(t, want, got)
	}
}

// TestFlagsWrapConfig: WrapConfigFn sees and may change the config.
func TestFlagsWrapConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(path, []byte(kubeconfig), 0o600))
	ours, fs := ourFlags()
	require.NoError(t, fs.Parse([]string{"--kubeconfig", path}))
	ours.WrapConfigFn = func(c *rest.Config) *rest.Config { c.UserAgent = "wrapped"; return c }
	cfg, err := ours.ToRESTConfig()
	require.NoError(t, err)
	assert.Equal(t, "wrapped", cfg.UserAgent)
	assert.Equal(t, "https://dev.example.com:6443", cfg.Host)
}

// TestClientsRateLimit: a command's clients share one limiter of 50
// requests a second, burst 100, unless the config sets its own.
func TestClientsRateLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(path, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`), 0o600))
	ours, fs := ourFlags()
	require.NoError(t, fs.Parse([]string{"--kubeconfig", path}))
	c, err := NewClients(ours)
	require.NoError(t, err)
	assert.Equal(t, float32(50), c.Config.QPS)
	assert.Equal(t, 100, c.Config.Burst)

	ours.WrapConfigFn = func(c *rest.Config) *rest.Config { c.QPS, c.Burst = 7, 9; return c }
	c, err = NewClients(ours)
	require.NoError(t, err)
	assert.Equal(t, float32(7), c.Config.QPS)
	assert.Equal(t, 9, c.Config.Burst)
}

func assertSameConfig(t *testing.T, want, got *rest.Config) {
	t.Helper()
	assert.Equal(t, want.Host, got.Host)
	assert.Equal(t, want.BearerToken, got.BearerToken)
	assert.Equal(t, want.Impersonate, got.Impersonate)
	assert.Equal(t, want.TLSClientConfig, got.TLSClientConfig)
	assert.Equal(t, want.Timeout, got.Timeout)
	assert.Equal(t, want.DisableCompression, got.DisableCompression)
	assert.Equal(t, want.Username, got.Username)
	if want.Proxy == nil {
		assert.Nil(t, got.Proxy)
	} else {
		require.NotNil(t, got.Proxy)
		u1, err1 := want.Proxy(nil)
		u2, err2 := got.Proxy(nil)
		assert.Equal(t, u1, u2)
		assert.Equal(t, err1, err2)
	}
}

func fmtArgs(args []string) string {
	if len(args) == 0 {
		return "no flags"
	}
	return strings.Join(args, " ")
}

// TestRequestTimeout: --request-timeout is read as kubectl reads it, and a
// bad value is named with the flag, not as "Invalid timeout value".
func TestRequestTimeout(t *testing.T) {
	for _, tt := range []struct {
		value, wantErr string
	}{
		{"0", ""},
		{"30", ""},
		{"30s", ""},
		{"1m30s", ""},
		{"bogus", `invalid --request-timeout "bogus": expected a duration such as 30s or 1m, or 0 for none`},
		{"-1s", `invalid --request-timeout "-1s": expected a duration such as 30s or 1m, or 0 for none`},
		{"5 s", `invalid --request-timeout "5 s": expected a duration such as 30s or 1m, or 0 for none`},
	} {
		t.Run(tt.value, func(t *testing.T) {
			f, fs := ourFlags()
			require.NoError(t, fs.Parse([]string{"--request-timeout", tt.value, "--kubeconfig", "/nonexistent/kubeconfig"}))
			err := f.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.wantErr)
			_, err = f.ToRESTConfig()
			assert.EqualError(t, err, tt.wantErr, "before the kubeconfig is read")
		})
	}
}
