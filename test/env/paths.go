// Package testenv starts a real control plane for the end-to-end tests:
// etcd + kube-apiserver (through controller-runtime's envtest) with the Istio
// CRDs installed, and optionally kwok so that Nodes become Ready, Pods Running
// and port-forwards to pods reach a local HTTP server standing in for Envoy.
//
// # Gateway API
//
// The cluster is also a Gateway API cluster with Istio as its controller:
// Start installs the Gateway API standard-channel CRDs (GatewayAPICRDs) and
// the GatewayClass "istio" (unless Options.NoGatewayClass); Env.GatewayAPI
// is a typed client. With Options.Kwok, IstioGateway.Sync (and every
// Kubectl/RunCmd, which syncs) first plays Istio's deployment controller for
// each Gateway of an Istio class: Service NAME-istio, ServiceAccount, a
// Ready pod NAME-istio-0 (GatewayPod), its EndpointSlice and a kwok
// PortForward to the Istio-driven gateway, all removed when the Gateway
// goes. Then the gateway rebuilds, and last the status Istio's gateway
// controller computed is written to the objects' status subresources, as
// istiod's status writer would. Nothing of this runs in the background:
// what a test reads after Sync is Istio's verdict on what it wrote before.
// PortForward opens a port-forward to a pod through the apiserver;
// IstioGateway.ListenGateway serves a Gateway's port at a NodePort or load
// balancer address; IstioGateway.Statuses lists what Istio computed.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// RepoRoot is the root of the repository (the folder holding go.mod).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// BinDir holds kube-apiserver, etcd, kubectl and kwok built by `make tools`.
// EXPOSE_GW_TOOLS overrides it.
func BinDir() string {
	if d := os.Getenv("EXPOSE_GW_TOOLS"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(), "bin")
}

var (
	modDirs   = map[string]string{}
	modDirsMu sync.Mutex
)

// moduleDir returns the module cache folder of module m as seen from the Go
// module rooted at dir.
func moduleDir(dir, m string) (string, error) {
	modDirsMu.Lock()
	defer modDirsMu.Unlock()
	key := dir + "|" + m
	if d, ok := modDirs[key]; ok {
		return d, nil
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", m)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("locating module %s from %s: %w", m, dir, err)
	}
	d := strings.TrimSpace(string(out))
	if d == "" {
		return "", fmt.Errorf("module %s is not downloaded (run go mod download in %s)", m, dir)
	}
	modDirs[key] = d
	return d, nil
}

// IstioCRDs is the file of Istio CRDs shipped in the istio.io/api module.
func IstioCRDs() (string, error) {
	d, err := moduleDir(RepoRoot(), "istio.io/api")
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "kubernetes", "customresourcedefinitions.gen.yaml"), nil
}

// kwokStages returns the kwok "fast" stage files for nodes and pods.
func kwokStages() ([]string, error) {
	d, err := moduleDir(filepath.Join(RepoRoot(), "test", "tools"), "sigs.k8s.io/kwok")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, sub := range []string{"node/fast", "pod/fast"} {
		m, err := filepath.Glob(filepath.Join(d, "kustomize", "stage", sub, "*.yaml"))
		if err != nil {
			return nil, err
		}
		for _, f := range m {
			if filepath.Base(f) != "kustomization.yaml" {
				files = append(files, f)
			}
		}
	}
	return files, nil
}

var (
	pluginOnce sync.Once
	pluginDir  string
	pluginErr  error
)

// PluginDir returns a folder holding the kubectl-expose_gw binary built from
// this checkout (EXPOSE_GW_PLUGIN_DIR overrides it, as `make test` sets it).
func PluginDir() (string, error) {
	pluginOnce.Do(func() {
		if d := os.Getenv("EXPOSE_GW_PLUGIN_DIR"); d != "" {
			pluginDir = d
			return
		}
		d, err := os.MkdirTemp("", "expose-gw-plugin-")
		if err != nil {
			pluginErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(d, "kubectl-expose_gw"), "./cmd/kubectl-expose_gw")
		cmd.Dir = RepoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			pluginErr = fmt.Errorf("building the plugin: %w\n%s", err, out)
			return
		}
		pluginDir = d
	})
	return pluginDir, pluginErr
}

// GatewayAPICRDs are the CRD files of the Gateway API standard channel
// shipped in the sigs.k8s.io/gateway-api module (config/crd/standard; its
// ..._vap_safeupgrades.yaml is a ValidatingAdmissionPolicy, not a CRD).
func GatewayAPICRDs() ([]string, error) {
	d, err := moduleDir(RepoRoot(), "sigs.k8s.io/gateway-api")
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(d, "config", "crd", "standard", "gateway.networking.k8s.io_*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		if !strings.Contains(filepath.Base(f), "_vap_") {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no Gateway API CRDs in %s", d)
	}
	return out, nil
}

// kwokPortForwardCRD is kwok's PortForward CRD: kwok watches PortForward
// objects (--enable-crds), which is how port-forwards to the pods the test
// environment deploys for Gateway API Gateways reach the gateway.
func kwokPortForwardCRD() (string, error) {
	d, err := moduleDir(filepath.Join(RepoRoot(), "test", "tools"), "sigs.k8s.io/kwok")
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "kustomize", "crd", "bases", "kwok.x-k8s.io_portforwards.yaml"), nil
}
