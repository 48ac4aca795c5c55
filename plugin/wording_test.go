package plugin

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
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
		{"list -o", cli.InvalidOutput("name", []string{"wide", "yaml", "json"}), `invalid --output "name": expected wide, yaml or json`},
		{"url -o", cli.InvalidOutput("yaml", []string{"url", "env", "json"}), `invalid --output "yaml": expected url, env or json`},
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
