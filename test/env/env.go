package testenv

import (
	"context"
	"os"
	"path/filepath"
	"time"

	istioclient "istio.io/client-go/pkg/clientset/versioned"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	gatewayclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"
)

// Options says what a test needs besides the apiserver.
type Options struct {
	// Kwok starts kwok and the Istio-driven gateway: nodes annotated
	// kwok.x-k8s.io/node=fake become Ready, pods on them Running, and
	// port-forwards to the gateway pods' ports reach the gateway. It also
	// plays Istio's Gateway API deployment controller and status writer
	// (gwapi.go): at each IstioGateway.Sync.
	Kwok bool
	// NoGatewayClass leaves out the GatewayClass "istio" that Istio creates
	// at install (the Gateway API CRDs are always installed).
	NoGatewayClass bool
	// NoGatewayAPI leaves out the Gateway API CRDs too (a cluster that
	// serves only the Istio API); without Kwok only.
	NoGatewayAPI bool
	// CertManager installs cert-manager's CRDs (CertManagerCRDs) and
	// plays its controllers (Env.CertManager).
	CertManager bool
}

// Env is a running control plane. Everything it started is stopped when the
// test ends (apiserver before etcd), whether the test passed or not.
type Env struct {
	Config     *rest.Config // admin (system:masters)
	Kube       kubernetes.Interface
	Istio      istioclient.Interface
	GatewayAPI gatewayclient.Interface
	Kubeconfig string // admin kubeconfig file
	Dir        string // scratch folder of this environment

	// IstioGateway is the ingress gateway (with Kwok): Istio's control
	// plane decides its listeners and routes; port-forwards to the gateway
	// pods reach it. What it routes to a Service arrives at Upstream, the
	// stand-in for every Service's pods.
	IstioGateway *IstioGateway
	Upstream     *Recorder
	// CertManager is the played cert-manager (Options.CertManager).
	CertManager *CertManager

	t            TB
	env          *envtest.Environment
	allowedCodes []string
	gw           *deployer // Istio's Gateway API deployment controller (with Kwok)
}

// Start starts etcd and kube-apiserver with the Istio CRDs and the Gateway
// API standard-channel CRDs installed, and the GatewayClass "istio" unless
// opts.NoGatewayClass.
func Start(t TB, opts Options) *Env {
	t.Helper()
	bin := BinDir()
	for _, b := range []string{"etcd", "kube-apiserver", "kubectl", "kwok"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			t.Fatalf("test control plane not built: %s missing (run `make tools`)", filepath.Join(bin, b))
		}
	}
	crds, err := IstioCRDs()
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{crds}
	if opts.NoGatewayAPI {
		if opts.Kwok {
			t.Fatal("testenv: NoGatewayAPI needs Kwok off (Istio's Gateway API deployment controller is played with Kwok)")
		}
		opts.NoGatewayClass = true
	} else {
		gwCRDs, err := GatewayAPICRDs()
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, gwCRDs...)
	}
	if opts.Kwok {
		pf, err := kwokPortForwardCRD()
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, pf)
	}
	if opts.CertManager {
		cm, err := CertManagerCRDs()
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, cm...)
	}
	e := &Env{t: t, Dir: t.TempDir()}
	e.env = &envtest.Environment{
		BinaryAssetsDirectory: bin,
		CRDDirectoryPaths:     paths,
		ErrorIfCRDPathMissing: true,
		// Generous: the 2-core CI machine may be running other suites.
		ControlPlaneStartTimeout: 90 * time.Second,
		ControlPlaneStopTimeout:  60 * time.Second,
	}
	api := e.env.ControlPlane.GetAPIServer()
	api.Configure().Set("kubelet-preferred-address-types", "InternalIP,ExternalIP,Hostname")
	api.Configure().Set("service-cluster-ip-range", "10.96.0.0/16")
	if e.Config, err = e.env.Start(); err != nil {
		_ = e.env.Stop()
		t.Fatalf("starting kube-apiserver and etcd: %v", err)
	}
	t.Cleanup(func() {
		if err := e.env.Stop(); err != nil {
			t.Logf("stopping the control plane: %v", err)
		}
	})
	e.Kube = kubernetes.NewForConfigOrDie(e.Config)
	e.Istio = istioclient.NewForConfigOrDie(e.Config)
	e.GatewayAPI = gatewayclient.NewForConfigOrDie(e.Config)
	e.Kubeconfig = e.AddUser("admin", []string{"system:masters"})
	if v, err := e.Kube.Discovery().ServerVersion(); err == nil {
		t.Logf("real kube-apiserver %s at %s with %d CRDs (Istio's, Gateway API's)", v.GitVersion, e.Config.Host, len(e.env.CRDs))
	}
	if !opts.NoGatewayClass {
		e.createGatewayClass()
	}
	if opts.CertManager {
		e.startCertManager()
	}
	if opts.Kwok {
		e.Upstream = NewRecorder(t, false)
		e.startIstioGateway()
		e.startKwok()
		e.gw = newDeployer(e)
		// Registered last, so it runs first: the cluster is still up.
		t.Cleanup(e.checkAnalysis)
	}
	return e
}

// AddUser creates a user authenticated by a client certificate in the given
// groups and returns the path of a kubeconfig for it. It has no rights
// beyond its groups': bind them with Grant.
func (e *Env) AddUser(name string, groups []string) string {
	e.t.Helper()
	u, err := e.env.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		e.t.Fatalf("adding user %s: %v", name, err)
	}
	kc, err := u.KubeConfig()
	if err != nil {
		e.t.Fatal(err)
	}
	path := filepath.Join(e.Dir, "kubeconfig-"+name)
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// Ctx is a context that ends with the test.
func (e *Env) Ctx() context.Context {
	return e.t.Context()
}

// Eventually polls cond every 50ms until it returns true or timeout passes.
func Eventually(t TB, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ok, err := cond()
		if ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s (last error: %v)", timeout, what, last)
}
