// Package krewspec is what the tests know of the release's Krew manifest
// (krew/expose-gw.yaml rendered): the part of Krew's v1alpha2 Plugin they
// read, and the six platforms of the release.
package krewspec

import "sigs.k8s.io/yaml"

// Plugin is the part of Krew's v1alpha2 Plugin the tests read.
type Plugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string `json:"version"`
		Homepage         string `json:"homepage"`
		ShortDescription string `json:"shortDescription"`
		Description      string `json:"description"`
		Caveats          string `json:"caveats"`
		Platforms        []struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			URI    string `json:"uri"`
			SHA256 string `json:"sha256"`
			Files  []struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"files"`
			Bin string `json:"bin"`
		} `json:"platforms"`
	} `json:"spec"`
}

// Parse reads a manifest strictly: a field Plugin does not know is an
// error, so a manifest that grows one is looked at.
func Parse(data []byte) (Plugin, error) {
	var p Plugin
	err := yaml.UnmarshalStrict(data, &p)
	return p, err
}

// Platform is one platform of the release and what its archive holds.
type Platform struct {
	OS, Arch, Archive, Bin, Completion string
}

// Platforms are the release's six, in the manifest's order.
var Platforms = []Platform{
	{"linux", "amd64", "kubectl-expose_gw_linux_amd64.tar.gz", "kubectl-expose_gw", "kubectl_complete-expose_gw"},
	{"linux", "arm64", "kubectl-expose_gw_linux_arm64.tar.gz", "kubectl-expose_gw", "kubectl_complete-expose_gw"},
	{"darwin", "amd64", "kubectl-expose_gw_darwin_amd64.tar.gz", "kubectl-expose_gw", "kubectl_complete-expose_gw"},
	{"darwin", "arm64", "kubectl-expose_gw_darwin_arm64.tar.gz", "kubectl-expose_gw", "kubectl_complete-expose_gw"},
	{"windows", "amd64", "kubectl-expose_gw_windows_amd64.zip", "kubectl-expose_gw.exe", "kubectl_complete-expose_gw.cmd"},
	{"windows", "arm64", "kubectl-expose_gw_windows_arm64.zip", "kubectl-expose_gw.exe", "kubectl_complete-expose_gw.cmd"},
}
