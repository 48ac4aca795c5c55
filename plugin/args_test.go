package plugin

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// TestServiceArgs: every command taking a SERVICE names an extra argument
// (and delete a missing SERVICE) rather than counting them, before
// reading the kubeconfig.
func TestServiceArgs(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"a", "b"}, `unexpected argument "b": expected one SERVICE`},
		{[]string{"svc/a", "b", "c"}, `unexpected argument "b": expected one SERVICE`},
		{[]string{"delete", "a", "b"}, `unexpected argument "b": expected one SERVICE`},
		{[]string{"delete"}, `missing SERVICE: expected one SERVICE (kubectl expose-gw delete SERVICE)`},
		{[]string{"url", "a", "b"}, `unexpected argument "b": expected one SERVICE`},
		{[]string{"proxy", "a", "--host", "a.example.com", "b"}, `unexpected argument "b": expected one SERVICE`},
	}
	for _, tt := range tests {
		t.Run(tt.wantErr+" "+tt.args[0], func(t *testing.T) {
			streams, _, out, _ := genericiooptions.NewTestIOStreams()
			root := NewRootCmd(streams)
			root.SetArgs(append(tt.args, "--kubeconfig", "/nonexistent/kubeconfig"))
			assert.EqualError(t, root.ExecuteContext(context.Background()), tt.wantErr)
			assert.Empty(t, out.String())
		})
	}
}
