package plugin

import (
	"bytes"
	"context"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// TestBadFlagBeforeKubeconfig runs each command with a bad flag and a
// kubeconfig that cannot be read: the flag's error must come first.
func TestBadFlagBeforeKubeconfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"expose --prefix", []string{"flaskapp", "--prefix", "env"}, `invalid --prefix "env": expected a path starting with "/"`},
		{"list -o", []string{"list", "-o", "table"}, `invalid --output "table": expected wide, yaml or json`},
		{"delete --prefix", []string{"delete", "flaskapp", "--prefix", "env"}, `invalid --prefix "env": expected a path starting with "/"`},
		{"proxy --via", []string{"proxy", "flaskapp", "--via", "ssh"}, `invalid --via "ssh": expected auto, direct or port-forward`},
		{"url -o", []string{"url", "-o", "yaml"}, `invalid --output "yaml": expected url, env or json`},
		{"--request-timeout", []string{"list", "--request-timeout", "bogus"}, `invalid --request-timeout "bogus": expected a duration such as 30s or 1m, or 0 for none`},
		{"expose --request-timeout", []string{"flaskapp", "--request-timeout", "bogus"}, `invalid --request-timeout "bogus": expected a duration such as 30s or 1m, or 0 for none`},
		{"good flags reach the kubeconfig", []string{"list"}, `reading kubeconfig: stat /nonexistent/kubeconfig: no such file or directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			streams, _, _, _ := genericiooptions.NewTestIOStreams()
			cmd := NewRootCmd(streams)
			cmd.SetArgs(append(tt.args, "--kubeconfig", "/nonexistent/kubeconfig"))
			err := cmd.ExecuteContext(context.Background())
			assert.EqualError(t, err, tt.wantErr)
			assert.Empty(t, streams.Out.(*bytes.Buffer).String())
		})
	}
}

// TestOutputHelp: the -o help of expose (the root) and delete names exactly
// the formats Validate accepts.
func TestOutputHelp(t *testing.T) {
	root := NewRootCmd(genericiooptions.NewTestIOStreamsDiscard())
	del, _, err := root.Find([]string{"delete"})
	assert.NoError(t, err)
	for _, c := range []*cobra.Command{root, del} {
		f := c.Flags().Lookup("output")
		if assert.NotNil(t, f, c.Name()) {
			assert.Equal(t, "Output format: yaml|json|name", f.Usage, c.Name())
		}
		assert.Nil(t, c.Flags().Lookup("template"), c.Name())
	}
}
