package expose

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kubefake "k8s.io/client-go/kubernetes/fake"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube/kubelib"
)

// TestDidYouMean: a SERVICE given to the root command that names no
// Service but is close to a subcommand gets the hint; elsewhere it does not.
func TestDidYouMean(t *testing.T) {
	// The root command's subcommands, as plugin.NewRootCmd adds them.
	root := &cobra.Command{Use: "expose-gw", SuggestionsMinimumDistance: 2}
	for _, name := range []string{"version", "list", "delete", "url", "proxy"} {
		root.AddCommand(&cobra.Command{Use: name, Run: func(*cobra.Command, []string) {}})
	}
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
