package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// TestWording: the mistakes several commands report, in their one wording.
func TestWording(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"service", kube.ServiceNotFound("nope", "team-a", nil),
			`service "nope" not found in namespace "team-a": expected an existing Service (see kubectl get services -n team-a)`},
		{"service, a subcommand's typo", kube.ServiceNotFound("lsit", "default", []string{"list"}),
			`service "lsit" not found in namespace "default": expected an existing Service (see kubectl get services -n default); did you mean list?`},
		{"service, two typos", kube.ServiceNotFound("xrl", "default", []string{"url", "list"}),
			`service "xrl" not found in namespace "default": expected an existing Service (see kubectl get services -n default); did you mean url or list?`},
		{"namespace", kube.NamespaceNotFound("nons"),
			`namespace "nons" not found: expected an existing namespace (see kubectl get namespaces), given by -n or the kubeconfig's context`},
		{"expose and delete -o", cli.InvalidOutput("wide", cli.ObjectFormats), `invalid --output "wide": expected yaml, json or name`},
		{"list -o", cli.InvalidOutput("name", listFormats), `invalid --output "name": expected wide, yaml or json`},
		{"url -o", cli.InvalidOutput("yaml", urlFormats), `invalid --output "yaml": expected url, env or json`},
		{"one format", cli.InvalidOutput("yaml", []string{"json"}), `invalid --output "yaml": expected json`},
	} {
		t.Run(tt.name, func(t *testing.T) { assert.EqualError(t, tt.err, tt.want) })
	}
}

// TestBadOutputEveryCommand: every command words a bad -o alike, before
// reading the kubeconfig.
func TestBadOutputEveryCommand(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		allowed string
	}{
		{[]string{"flaskapp"}, "yaml, json or name"},
		{[]string{"delete", "flaskapp"}, "yaml, json or name"},
		{[]string{"list"}, "wide, yaml or json"},
		{[]string{"url"}, "url, env or json"},
		{[]string{"version"}, "json"},
	} {
		t.Run(tt.args[0], func(t *testing.T) {
			streams, _, out, _ := genericiooptions.NewTestIOStreams()
			root := NewRootCmd(streams)
			root.SetArgs(append(tt.args, "-o", "tabel", "--kubeconfig", "/nonexistent/kubeconfig"))
			assert.EqualError(t, root.ExecuteContext(context.Background()), `invalid --output "tabel": expected `+tt.allowed)
			assert.Empty(t, out.String())
		})
	}
}

// TestDidYouMean: a SERVICE given to the root command that names no
// Service but is close to a subcommand gets the hint; elsewhere it does not.
func TestDidYouMean(t *testing.T) {
	root := NewRootCmd(genericiooptions.NewTestIOStreamsDiscard())
	proxy, _, err := root.Find([]string{"proxy"})
	require.NoError(t, err)
	cs := kubefake.NewSimpleClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "lst", Namespace: "default"}})
	for _, tt := range []struct {
		name, arg, ns string
		onProxy       bool
		want          string
	}{
		{name: "typo of list", arg: "lsit", ns: "default", want: `service "lsit" not found in namespace "default": expected an existing Service (see kubectl get services -n default); did you mean list?`},
		{name: "typo of delete", arg: "delte", ns: "default", want: `service "delte" not found in namespace "default": expected an existing Service (see kubectl get services -n default); did you mean delete?`},
		{name: "far from every subcommand", arg: "flaskapp", ns: "default", want: `service "flaskapp" not found in namespace "default": expected an existing Service (see kubectl get services -n default)`},
		{name: "svc/ is a Service for sure", arg: "svc/lsit", ns: "default", want: `service "lsit" not found in namespace "default": expected an existing Service (see kubectl get services -n default)`},
		{name: "an existing Service close to list is exposed", arg: "lst", ns: "default"},
		{name: "missing namespace", arg: "lsit", ns: "nons", want: `namespace "nons" not found: expected an existing namespace (see kubectl get namespaces), given by -n or the kubeconfig's context`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := NewExposeOptions(nil, genericiooptions.NewTestIOStreamsDiscard())
			require.NoError(t, o.Complete(root, []string{tt.arg}))
			o.Namespace = tt.ns
			require.NoError(t, o.Validate())
			_, err := kube.GetService(context.Background(), kubelib.Kube(cs), tt.ns, o.req.Target.Service, o.suggestions)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.want)
		})
	}
	t.Run("not on a subcommand's SERVICE", func(t *testing.T) {
		o := NewExposeOptions(nil, genericiooptions.NewTestIOStreamsDiscard())
		require.NoError(t, o.Complete(proxy, []string{"lsit"}))
		assert.Empty(t, o.suggestions)
	})
}

// TestPrintChangesOneDocument: several objects print as one v1 List, one
// object as itself, -o name a line each.
func TestPrintChangesOneDocument(t *testing.T) {
	gw := &networkingv1.Gateway{ObjectMeta: metav1.ObjectMeta{Name: "expose-gw", Namespace: "default",
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl-expose-gw"}}}}
	vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Name: "expose-gw-any", Namespace: "default"}}
	both := []route.Change{{Op: route.OpCreate, Object: gw}, {Op: route.OpCreate, Object: vs}}
	print := func(format string, changes []route.Change) string {
		pf := &cli.PrintFlags{OutputFormat: format}
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

// TestMistypedSubcommandWithArgs: a mistyped subcommand followed by its
// arguments is not "at most 1 arg".
func TestMistypedSubcommandWithArgs(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"delte", "flaskapp"}, `unknown command "delte": did you mean delete?`},
		{[]string{"flaskap", "flaskapp"}, `unexpected argument "flaskapp": expected one SERVICE`},
	} {
		root := NewRootCmd(genericiooptions.NewTestIOStreamsDiscard())
		root.SetArgs(append(tt.args, "--kubeconfig", "/nonexistent/kubeconfig"))
		assert.EqualError(t, root.ExecuteContext(context.Background()), tt.want, tt.args)
	}
}
