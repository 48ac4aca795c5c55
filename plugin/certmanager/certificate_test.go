package certmanager

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

func TestParseIssuer(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{"letsencrypt", "Issuer/letsencrypt", ""},
		{"Issuer/ca", "Issuer/ca", ""},
		{"ClusterIssuer/letsencrypt-prod", "ClusterIssuer/letsencrypt-prod", ""},
		{"clusterissuer/x", "", `invalid --issuer "clusterissuer/x": expected NAME, Issuer/NAME or ClusterIssuer/NAME`},
		{"ClusterIssuer/", "", `invalid --issuer "ClusterIssuer/": expected an issuer name (`},
		{"a/b/c", "", `invalid --issuer "a/b/c": expected NAME, Issuer/NAME or ClusterIssuer/NAME`},
	} {
		got, err := ParseIssuer(tt.in)
		if tt.err != "" {
			require.Error(t, err, tt.in)
			assert.Contains(t, err.Error(), tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got.String())
	}
}

// TestSecretName: one name per set of hosts, in any order, never the
// tool's own CA's certificates' prefix (url gives those a --cacert).
func TestSecretName(t *testing.T) {
	a := SecretName([]string{"b.example.com", "a.example.com"})
	assert.Equal(t, a, SecretName([]string{"a.example.com", "b.example.com"}))
	assert.NotEqual(t, a, SecretName([]string{"a.example.com"}))
	assert.Regexp(t, `^expose-gw-cert-a\.example\.com-[0-9a-f]{8}$`, a)
	assert.NotContains(t, a, route.LeafSecretPrefix)
	assert.Equal(t, "expose-gw-cert-any.example.com-", SecretName([]string{"*.example.com"})[:31])
}

// TestPlan: created, kept when it asks for the same, updated (keeping
// what cert-manager or others set) when not, refused when not the tool's.
func TestPlan(t *testing.T) {
	iss := Issuer{Kind: KindClusterIssuer, Name: "ca"}
	want := Certificate("istio-system", []string{"a.example.com"}, iss)
	c, err := Plan(nil, want)
	require.NoError(t, err)
	assert.Equal(t, route.OpCreate, c.Op)

	have := want.DeepCopy()
	have.SetResourceVersion("7")
	have.Object["spec"].(map[string]any)["privateKey"] = map[string]any{"algorithm": "ECDSA"} // set by someone else
	c, err = Plan(have, want)
	require.NoError(t, err)
	assert.Equal(t, route.OpUnchanged, c.Op)

	c, err = Plan(have, Certificate("istio-system", []string{"a.example.com"}, Issuer{Kind: KindIssuer, Name: "other"}))
	require.NoError(t, err)
	require.Equal(t, route.OpUpdate, c.Op)
	assert.Equal(t, "7", c.Object.GetResourceVersion(), "an update of what is there")
	spec := c.Object.(interface{ UnstructuredContent() map[string]any }).UnstructuredContent()["spec"].(map[string]any)
	assert.Equal(t, map[string]any{"group": "cert-manager.io", "kind": "Issuer", "name": "other"}, spec["issuerRef"])
	assert.Equal(t, map[string]any{"algorithm": "ECDSA"}, spec["privateKey"], "a field the tool does not set is kept")

	theirs := want.DeepCopy()
	theirs.SetLabels(nil)
	_, err = Plan(theirs, want)
	assert.EqualError(t, err, "Certificate istio-system/"+want.GetName()+" exists and was not made by kubectl expose-gw (no label app.kubernetes.io/managed-by=kubectl-expose-gw): expected the tool's own, left as it is: give --tls-secret "+want.GetName()+" to serve its Secret, or another --host")
}
