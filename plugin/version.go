package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
)

// Set at build time with -ldflags "-X github.com/expose-gw/kubectl-expose-gw/plugin.version=v1.2.3 ...".
var (
	version   = "v0.0.0-dev"
	gitCommit = "unknown"
)

// VersionInfo is what `version -o json` prints.
type VersionInfo struct {
	Version   string `json:"version"`
	GitCommit string `json:"gitCommit"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// VersionOptions holds the flags of `version`.
type VersionOptions struct {
	Output string
	genericiooptions.IOStreams
}

// NewCmdVersion returns the `version` command.
func NewCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	o := &VersionOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl expose-gw",
		Args:  cobra.NoArgs,
		RunE:  cli.RunE(o),
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format: '' (version only) or json")
	return cmd
}

// Complete has nothing to read: version needs no cluster.
func (o *VersionOptions) Complete(*cobra.Command, []string) error { return nil }

// Validate checks the output format.
func (o *VersionOptions) Validate() error {
	if o.Output != "" && o.Output != "json" {
		return cli.InvalidOutput(o.Output, []string{"json"})
	}
	return nil
}

// Run prints the version.
func (o *VersionOptions) Run(context.Context) error {
	info := VersionInfo{Version: version, GitCommit: gitCommit, GoVersion: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if o.Output == "json" {
		b, err := json.MarshalIndent(info, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(o.Out, string(b))
		return err
	}
	_, err := fmt.Fprintln(o.Out, info.Version)
	return err
}
