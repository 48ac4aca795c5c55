package kube

import (
	"fmt"
	"strings"
	"sync"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ConfigFlags are kubectl's connection flags (--kubeconfig, --context,
// -n, -s, --as, --token, --request-timeout, ...): the names, shorthands and
// meaning of cli-runtime's genericclioptions.ConfigFlags (a test compares
// them), bound with client-go's own clientcmd.BindOverrideFlags. The
// package doc says why not ConfigFlags itself.
type ConfigFlags struct {
	// Rules are where the kubeconfig is read from (--kubeconfig is
	// Rules.ExplicitPath); Overrides are the flags' values.
	Rules     *clientcmd.ClientConfigLoadingRules
	Overrides *clientcmd.ConfigOverrides
	// WrapConfigFn, when set, wraps the REST config (tests count requests).
	WrapConfigFn func(*rest.Config) *rest.Config

	userExtra []string
	cacheDir  string

	once   sync.Once
	loader clientcmd.ClientConfig
}

// NewConfigFlags are the flags with kubectl's defaults.
func NewConfigFlags() *ConfigFlags {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	// As ConfigFlags: without any kubeconfig, the server is
	// $KUBERNETES_MASTER or localhost:8080 (kubectl's error names it).
	rules.DefaultClientConfig = &clientcmd.DefaultClientConfig
	return &ConfigFlags{Rules: rules, Overrides: &clientcmd.ConfigOverrides{ClusterDefaults: clientcmd.ClusterDefaults}}
}

// AddFlags adds the flags to fs.
func (f *ConfigFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Rules.ExplicitPath, clientcmd.RecommendedConfigPathFlag, "", "Path to the kubeconfig file to use for CLI requests.")
	// Kept so a kubectl command line runs unchanged: the tool reads no
	// discovery, which is what kubectl caches there.
	fs.StringVar(&f.cacheDir, "cache-dir", "", "Default cache directory (accepted for kubectl's sake; expose-gw caches nothing)")
	names := clientcmd.RecommendedConfigOverrideFlags("")
	names.ClusterOverrideFlags.APIServer.ShortName = "s"
	// kubectl's deprecated basic-auth flags, which ConfigFlags offers only
	// on request (WithDeprecatedPasswordFlag): not offered.
	names.AuthOverrideFlags.Username.LongName = ""
	names.AuthOverrideFlags.Password.LongName = ""
	clientcmd.BindOverrideFlags(f.Overrides, fs, names)
	fs.StringArrayVar(&f.userExtra, "as-user-extra", nil, "User extras to impersonate for the operation, this flag can be repeated to specify multiple values for the same key.")
}

// ToRawKubeConfigLoader is the kubeconfig with the flags applied: one
// loader for the command's life, as ConfigFlags(usePersistentConfig) keeps.
func (f *ConfigFlags) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	f.once.Do(func() {
		if len(f.userExtra) > 0 {
			f.Overrides.AuthInfo.ImpersonateUserExtra = userExtras(f.userExtra)
		}
		f.loader = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(f.Rules, f.Overrides)
	})
	return f.loader
}

// Validate checks the flags whose values client-go would otherwise refuse
// while reading the kubeconfig, in words that do not name the flag:
// --request-timeout.
func (f *ConfigFlags) Validate() error {
	if t := f.Overrides.Timeout; t != "" {
		if d, err := clientcmd.ParseTimeout(t); err != nil || d < 0 {
			return fmt.Errorf("invalid --%s %q: expected a duration such as 30s or 1m, or 0 for none", clientcmd.FlagTimeout, t)
		}
	}
	return nil
}

// ToRESTConfig is the REST config of the API server the flags name.
func (f *ConfigFlags) ToRESTConfig() (*rest.Config, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	c, err := f.ToRawKubeConfigLoader().ClientConfig()
	if err != nil {
		return nil, err
	}
	if f.WrapConfigFn != nil {
		return f.WrapConfigFn(c), nil
	}
	return c, nil
}

// userExtras reads --as-user-extra KEY=VALUE values as ConfigFlags does
// (a value without "=" is ignored).
func userExtras(values []string) map[string][]string {
	out := map[string][]string{}
	for _, v := range values {
		if key, value, ok := strings.Cut(v, "="); ok {
			out[key] = append(out[key], value)
		}
	}
	return out
}
