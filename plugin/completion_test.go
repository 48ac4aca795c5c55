package plugin

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

func TestTakesService(t *testing.T) {
	for _, tc := range []struct {
		use  string
		want bool
	}{
		{"url [SERVICE]", true},
		{"delete SERVICE [--prefix PATH]...", true},
		{"expose-gw SERVICE [--prefix PATH]... [flags]", true},
		{"list [-A] [-o wide|yaml|json]", false},
		{"version", false},
		{"expose-gw", false},
		{"get SERVICES", false},
	} {
		t.Run(tc.use, func(t *testing.T) {
			assert.Equal(t, tc.want, takesService(&cobra.Command{Use: tc.use}))
		})
	}
}

func TestMatching(t *testing.T) {
	for _, tc := range []struct {
		name   string
		names  []string
		prefix string
		want   []cobra.Completion
	}{
		{"empty prefix keeps all, sorted", []string{"b", "a", "c"}, "", []cobra.Completion{"a", "b", "c"}},
		{"prefix filters", []string{"flaskapp", "frontend", "db"}, "fl", []cobra.Completion{"flaskapp"}},
		{"no match", []string{"db"}, "x", nil},
		{"duplicates once", []string{"a", "a"}, "", []cobra.Completion{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, matching(tc.names, tc.prefix))
		})
	}
}

func TestRegisterCompletions(t *testing.T) {
	flags := kube.NewConfigFlags()
	root := &cobra.Command{Use: "expose-gw SERVICE"}
	flags.AddFlags(root.PersistentFlags())
	url := &cobra.Command{Use: "url [SERVICE]"}
	list := &cobra.Command{Use: "list"}
	own := func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{"mine"}, cobra.ShellCompDirectiveDefault
	}
	proxy := &cobra.Command{Use: "proxy [SERVICE]", ValidArgsFunction: own}
	root.AddCommand(url, list, proxy)

	RegisterCompletions(root, flags)

	assert.NotNil(t, root.ValidArgsFunction, "root takes SERVICE")
	assert.NotNil(t, url.ValidArgsFunction, "url takes [SERVICE]")
	assert.Nil(t, list.ValidArgsFunction, "list takes no SERVICE")
	got, _ := proxy.ValidArgsFunction(proxy, nil, "")
	assert.Equal(t, []cobra.Completion{"mine"}, got, "a command's own completion is kept")
	for _, f := range []string{"namespace", "context", "cluster", "user"} {
		_, ok := root.GetFlagCompletionFunc(f)
		assert.True(t, ok, "--%s completes", f)
	}
	assert.NotPanics(t, func() { RegisterCompletions(root, flags) }, "a second call keeps the first registrations")
}

// TestProxyTLSFlagCompletion: the gateway's TLS flags complete, the
// deprecated --ca-file does not, and --gateway-ca-file offers PEM files.
func TestProxyTLSFlagCompletion(t *testing.T) {
	complete := func(args ...string) []string {
		streams, _, out, _ := genericiooptions.NewTestIOStreams()
		root := NewRootCmd(streams)
		root.SetArgs(append([]string{cobra.ShellCompRequestCmd, "proxy"}, args...))
		require.NoError(t, root.Execute())
		return strings.Split(strings.TrimSpace(out.String()), "\n")
	}
	got := complete("--gateway-")
	assert.Contains(t, got, "--gateway-ca-file\tWith --https, PEM file of the CA that signed the gateway's certificate (default: the system's; --certificate-authority is the API server's)")
	assert.Contains(t, got, "--gateway-insecure-skip-tls-verify\tWith --https, do not verify the gateway's certificate (--insecure-skip-tls-verify is the API server's)")
	assert.NotContains(t, strings.Join(complete("--ca"), "\n"), "--ca-file")
	assert.Equal(t, []string{"pem", "crt", ":8"}, complete("--gateway-ca-file", ""))
}
