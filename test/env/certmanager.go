package testenv

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/certmanager"
	"github.com/expose-gw/kubectl-expose-gw/plugin/selfsigned"
)

// CertManagerModule is the cert-manager release whose CRDs the tests
// install (deploy/crds of its Go module, fetched into the module cache).
const CertManagerModule = "github.com/cert-manager/cert-manager@v1.21.2"

// CertManagerCRDs are the cert-manager.io CRD files of CertManagerModule:
// Certificates, CertificateRequests, Issuers and ClusterIssuers (not
// ACME's).
func CertManagerCRDs() ([]string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", CertManagerModule)
	cmd.Dir = filepath.Dir(RepoRoot()) // outside any module: nothing is added to a go.mod
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go mod download %s: %w", CertManagerModule, err)
	}
	var dir string
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), ": "); ok && k == `"Dir"` {
			dir = strings.Trim(v, `",`)
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "deploy", "crds", "cert-manager.io_*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no cert-manager CRDs in %q (%v)", dir, err)
	}
	return files, nil
}

var (
	certificates  = certmanager.Certificates
	issuers       = schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "issuers"}
	clusterIssuer = schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "clusterissuers"}
)

// CertManager plays cert-manager's controllers, as Options.CertManager
// starts them: every 200ms, its gateway-shim writes a Certificate for
// the HTTPS listeners of each Gateway annotated cert-manager.io/issuer or
// cluster-issuer (named after the listener's certificateRef, its hostnames
// as dnsNames), and its certificate controller issues each Certificate
// whose issuer exists (an Issuer of its namespace or a ClusterIssuer):
// the Secret spec.secretName signed by the test CA, then Ready=True; with
// no such issuer, Ready=False, reason Pending, as cert-manager says.
type CertManager struct {
	e  *Env
	dy dynamic.Interface
	ca selfsigned.Pair

	mu     sync.Mutex
	issued map[string]int64 // namespace/name -> generation issued
}

// CAPEM is the certificate of the test CA the played cert-manager signs
// with.
func (cm *CertManager) CAPEM() []byte { return cm.ca.Cert }

// CreateClusterIssuer makes a ClusterIssuer (of type ca: what it is does
// not matter to the played controller, that it exists does).
func (cm *CertManager) CreateClusterIssuer(name string) {
	cm.e.t.Helper()
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
		"metadata": map[string]any{"name": name},
		"spec":     map[string]any{"ca": map[string]any{"secretName": "test-ca"}},
	}}
	if _, err := cm.dy.Resource(clusterIssuer).Create(cm.e.Ctx(), u, metav1.CreateOptions{}); err != nil {
		cm.e.t.Fatalf("creating ClusterIssuer %s: %v", name, err)
	}
}

func (e *Env) startCertManager() {
	ca, err := selfsigned.NewCA(time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	cm := &CertManager{e: e, dy: dynamic.NewForConfigOrDie(e.Config), ca: ca, issued: map[string]int64{}}
	e.CertManager = cm
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			cm.round(ctx)
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	e.t.Cleanup(func() { cancel(); <-done })
}

// round is one pass of both controllers.
func (cm *CertManager) round(ctx context.Context) {
	if err := cm.shim(ctx); err != nil && ctx.Err() == nil {
		cm.e.t.Logf("played cert-manager gateway-shim: %v", err)
	}
	l, err := cm.dy.Resource(certificates).List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for i := range l.Items {
		if err := cm.issue(ctx, &l.Items[i]); err != nil && ctx.Err() == nil {
			cm.e.t.Logf("played cert-manager: %v", err)
		}
	}
}

// shim writes the Certificates of annotated Gateways' HTTPS listeners.
func (cm *CertManager) shim(ctx context.Context) error {
	gws, err := cm.e.GatewayAPI.GatewayV1().Gateways("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil // no Gateway API served
	}
	for _, g := range gws.Items {
		kind, name := "Issuer", g.Annotations["cert-manager.io/issuer"]
		if v := g.Annotations["cert-manager.io/cluster-issuer"]; v != "" {
			kind, name = "ClusterIssuer", v
		}
		if name == "" {
			continue
		}
		hosts := map[string][]string{} // secret -> hostnames
		for _, l := range g.Spec.Listeners {
			if l.Protocol != gwv1.HTTPSProtocolType || l.TLS == nil || l.Hostname == nil || len(l.TLS.CertificateRefs) == 0 {
				continue
			}
			ref := l.TLS.CertificateRefs[0]
			if ref.Namespace != nil && string(*ref.Namespace) != g.Namespace {
				continue // cert-manager writes Secrets in the Gateway's namespace only
			}
			s := string(ref.Name)
			if h := string(*l.Hostname); !slices.Contains(hosts[s], h) {
				hosts[s] = append(hosts[s], h)
			}
		}
		for secret, dns := range hosts {
			sort.Strings(dns)
			if err := cm.ensureCertificate(ctx, &g, secret, dns, kind, name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (cm *CertManager) ensureCertificate(ctx context.Context, g *gwv1.Gateway, secret string, dns []string, kind, issuer string) error {
	names := make([]any, len(dns))
	for i, d := range dns {
		names[i] = d
	}
	spec := map[string]any{"secretName": secret, "dnsNames": names,
		"issuerRef": map[string]any{"group": "cert-manager.io", "kind": kind, "name": issuer}}
	r := cm.dy.Resource(certificates).Namespace(g.Namespace)
	cur, err := r.Get(ctx, secret, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
			"metadata": map[string]any{"name": secret, "namespace": g.Namespace,
				"ownerReferences": []any{map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
					"name": g.Name, "uid": string(g.UID), "controller": true, "blockOwnerDeletion": true}}},
			"spec": spec,
		}}
		_, err = r.Create(ctx, u, metav1.CreateOptions{})
		return err
	case err != nil:
		return err
	}
	if fmt.Sprint(cur.Object["spec"]) == fmt.Sprint(spec) {
		return nil
	}
	cur.Object["spec"] = spec
	_, err = r.Update(ctx, cur, metav1.UpdateOptions{})
	return err
}

// issue signs a Certificate whose issuer exists and says Ready; else says
// why not.
func (cm *CertManager) issue(ctx context.Context, c *unstructured.Unstructured) error {
	key := c.GetNamespace() + "/" + c.GetName()
	cm.mu.Lock()
	done := cm.issued[key] == c.GetGeneration()
	cm.mu.Unlock()
	if done {
		return nil
	}
	kind, _, _ := unstructured.NestedString(c.Object, "spec", "issuerRef", "kind")
	issuer, _, _ := unstructured.NestedString(c.Object, "spec", "issuerRef", "name")
	secret, _, _ := unstructured.NestedString(c.Object, "spec", "secretName")
	dns, _, _ := unstructured.NestedStringSlice(c.Object, "spec", "dnsNames")
	var err error
	if kind == "ClusterIssuer" {
		_, err = cm.dy.Resource(clusterIssuer).Get(ctx, issuer, metav1.GetOptions{})
	} else {
		kind = "Issuer"
		_, err = cm.dy.Resource(issuers).Namespace(c.GetNamespace()).Get(ctx, issuer, metav1.GetOptions{})
	}
	if apierrors.IsNotFound(err) {
		return cm.setReady(ctx, c, "False", "Pending", fmt.Sprintf("Issuing certificate as Secret does not exist; referenced %s %q not found", kind, issuer))
	}
	if err != nil {
		return err
	}
	leaf, err := selfsigned.Issue(cm.ca, dns, time.Now())
	if err != nil {
		return err
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: secret, Namespace: c.GetNamespace(),
		Annotations: map[string]string{"cert-manager.io/certificate-name": c.GetName(), "cert-manager.io/issuer-name": issuer, "cert-manager.io/issuer-kind": kind}},
		Type: corev1.SecretTypeTLS, Data: map[string][]byte{corev1.TLSCertKey: leaf.Cert, corev1.TLSPrivateKeyKey: leaf.Key, "ca.crt": cm.ca.Cert}}
	secrets := cm.e.Kube.CoreV1().Secrets(c.GetNamespace())
	if old, err := secrets.Get(ctx, secret, metav1.GetOptions{}); err == nil {
		s.ResourceVersion = old.ResourceVersion
		_, err = secrets.Update(ctx, s, metav1.UpdateOptions{})
		if err != nil {
			return err
		}
	} else if _, err := secrets.Create(ctx, s, metav1.CreateOptions{}); err != nil {
		return err
	}
	if err := cm.setReady(ctx, c, "True", "Ready", "Certificate is up to date and has not expired"); err != nil {
		return err
	}
	cm.mu.Lock()
	cm.issued[key] = c.GetGeneration()
	cm.mu.Unlock()
	return nil
}

func (cm *CertManager) setReady(ctx context.Context, c *unstructured.Unstructured, status, reason, msg string) error {
	cur, _, _ := unstructured.NestedSlice(c.Object, "status", "conditions")
	for _, x := range cur {
		if m, ok := x.(map[string]any); ok && m["type"] == "Ready" && m["status"] == status && m["reason"] == reason {
			return nil
		}
	}
	next := c.DeepCopy()
	cond := map[string]any{"type": "Ready", "status": status, "reason": reason, "message": msg,
		"lastTransitionTime": time.Now().UTC().Format(time.RFC3339), "observedGeneration": c.GetGeneration()}
	if err := unstructured.SetNestedSlice(next.Object, []any{cond}, "status", "conditions"); err != nil {
		return err
	}
	_, err := cm.dy.Resource(certificates).Namespace(c.GetNamespace()).UpdateStatus(ctx, next, metav1.UpdateOptions{})
	return err
}
