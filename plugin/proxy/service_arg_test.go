package proxy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// TestProxyServiceArg: proxy reads SERVICE as expose and delete do.
func TestProxyServiceArg(t *testing.T) {
	tests := []struct {
		arg, want, wantErr string
	}{
		{"flaskapp", "flaskapp", ""},
		{"svc/flaskapp", "flaskapp", ""},
		{"service/list", "list", ""},
		{"deploy/flaskapp", "", `invalid SERVICE "deploy/flaskapp": expected NAME or svc/NAME`},
		{"flask.app", "", `invalid SERVICE "flask.app": expected NAME or svc/NAME with a Service name (a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?'))`},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			o := NewProxyOptions(nil, genericiooptions.NewTestIOStreamsDiscard())
			require.NoError(t, o.Complete(nil, []string{tt.arg}))
			err := o.Validate()
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.Service)
		})
	}
}
