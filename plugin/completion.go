package plugin

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// completionTimeout bounds the API calls made while the user waits for a
// <TAB>: a slow cluster yields no suggestions rather than a stuck shell.
const completionTimeout = 5 * time.Second

// RegisterCompletions makes shell completion (kubectl_complete-expose_gw,
// which runs `kubectl-expose_gw __complete ...`) offer Service names for the
// SERVICE argument of root and of every subcommand whose usage starts with
// SERVICE or [SERVICE], namespaces for -n, and the kubeconfig's contexts,
// clusters and users for --context, --cluster and --user. Call it once
// every subcommand is added. Completions already set are kept.
//
// It also drops cobra's `completion` command: the scripts it writes complete
// a command named expose-gw, which does not exist; kubectl's own completion
// reaches the plugin through kubectl_complete-expose_gw instead.
func RegisterCompletions(root *cobra.Command, flags *kube.ConfigFlags) {
	root.CompletionOptions.DisableDefaultCmd = true
	services := ServiceCompletion(flags)
	for _, c := range append([]*cobra.Command{root}, root.Commands()...) {
		if c.ValidArgsFunction == nil && takesService(c) {
			c.ValidArgsFunction = services
		}
	}
	register := func(flag string, fn cobra.CompletionFunc) {
		if root.Flag(flag) == nil {
			return
		}
		if _, set := root.GetFlagCompletionFunc(flag); !set {
			_ = root.RegisterFlagCompletionFunc(flag, fn) // cannot fail: the flag exists and has no function
		}
	}
	register("namespace", NamespaceCompletion(flags))
	register("context", kubeconfigCompletion(flags, contextNames))
	register("cluster", kubeconfigCompletion(flags, clusterNames))
	register("user", kubeconfigCompletion(flags, userNames))
}

// takesService is true when c's first argument is a Service: its usage
// reads `NAME SERVICE ...` or `NAME [SERVICE] ...`.
func takesService(c *cobra.Command) bool {
	words := strings.Fields(c.Use)
	return len(words) > 1 && strings.Trim(words[1], "[]") == "SERVICE"
}

// ServiceCompletion completes the first argument with the names of the
// Services in the namespace given by -n (or the kubeconfig's).
func ServiceCompletion(flags *kube.ConfigFlags) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		kube, ns, err := completionClient(flags)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(commandContext(cmd), completionTimeout)
		defer cancel()
		list, err := kube.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			cobra.CompDebugln("listing services: "+err.Error(), false)
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names := make([]string, 0, len(list.Items))
		for _, s := range list.Items {
			names = append(names, s.Name)
		}
		return matching(names, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// NamespaceCompletion completes -n with the cluster's namespaces.
func NamespaceCompletion(flags *kube.ConfigFlags) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		kube, _, err := completionClient(flags)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(commandContext(cmd), completionTimeout)
		defer cancel()
		list, err := kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			cobra.CompDebugln("listing namespaces: "+err.Error(), false)
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names := make([]string, 0, len(list.Items))
		for _, n := range list.Items {
			names = append(names, n.Name)
		}
		return matching(names, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// kubeconfigCompletion completes a flag with names read from the
// kubeconfig (--kubeconfig, else $KUBECONFIG, else ~/.kube/config).
func kubeconfigCompletion(flags *kube.ConfigFlags, names func(clientcmdapi.Config) []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cfg, err := flags.ToRawKubeConfigLoader().RawConfig()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return matching(names(cfg), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

func contextNames(c clientcmdapi.Config) []string { return slices.Collect(maps.Keys(c.Contexts)) }
func clusterNames(c clientcmdapi.Config) []string { return slices.Collect(maps.Keys(c.Clusters)) }
func userNames(c clientcmdapi.Config) []string    { return slices.Collect(maps.Keys(c.AuthInfos)) }

// completionClient is a Kubernetes client from flags, with requests bounded
// by completionTimeout, and the namespace to complete in.
func completionClient(flags *kube.ConfigFlags) (kube.Kube, string, error) {
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return nil, "", err
	}
	cfg.Timeout = completionTimeout
	cs, err := kube.NewForConfig(cfg)
	if err != nil {
		return nil, "", err
	}
	ns, _, err := flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, "", err
	}
	return cs.Kube, ns, nil
}

// commandContext is the context cobra was executed with (ExecuteContext
// passes it to __complete too).
func commandContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// matching returns the sorted names starting with prefix.
func matching(names []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
