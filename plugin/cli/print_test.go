package cli_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// TestPrintChangesOneDocument: several objects print as one v1 List, one
// object as itself, -o name a line each.
func TestPrintChangesOneDocument(t *testing.T) {
	gw := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "expose-gw", Namespace: "default",
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl-expose-gw"}}}}
	vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: "expose-gw-any", Namespace: "default"}}
	both := []route.Change{{Op: route.OpCreate, Object: gw}, {Op: route.OpCreate, Object: vs}}
	print := func(format string, changes []route.Change) string {
		pf := &cli.PrintFlags{OutputFormat: format, WithKind: apis.WithKind}
		var b bytes.Buffer
		require.NoError(t, cli.PrintChanges(pf, &b, changes, route.DryRunClient))
		return b.String()
	}
	type item struct {
		APIVersion, Kind string
		Metadata         struct {
			Name          string
			ManagedFields []any
		}
	}
	var list struct {
		APIVersion, Kind string
		Items            []item
	}
	out := print("json", both)
	dec := json.NewDecoder(strings.NewReader(out))
	require.NoError(t, dec.Decode(&list))
	assert.False(t, dec.More(), "one JSON value: %s", out)
	assert.Equal(t, "v1", list.APIVersion)
	assert.Equal(t, "List", list.Kind)
	require.Len(t, list.Items, 2)
	assert.Equal(t, "Gateway", list.Items[0].Kind)
	assert.Equal(t, "networking.istio.io/v1", list.Items[0].APIVersion)
	assert.Empty(t, list.Items[0].Metadata.ManagedFields, "managed fields are left out, as kubectl does")
	assert.Equal(t, "VirtualService", list.Items[1].Kind)

	out = print("yaml", both)
	assert.NotContains(t, out, "---", "one YAML document")
	list.Items = nil
	require.NoError(t, yaml.Unmarshal([]byte(out), &list))
	assert.Equal(t, "List", list.Kind)
	assert.Len(t, list.Items, 2)

	var one item
	require.NoError(t, json.Unmarshal([]byte(print("json", both[1:])), &one))
	assert.Equal(t, "VirtualService", one.Kind, "one object prints as itself")

	assert.Equal(t, "gateway.networking.istio.io/expose-gw\nvirtualservice.networking.istio.io/expose-gw-any\n", print("name", both))
	assert.Equal(t, "gateway.networking.istio.io/expose-gw created (dry run)\nvirtualservice.networking.istio.io/expose-gw-any created (dry run)\n", print("", both))
}
