// Package certmanager is `expose --tls cert-manager --issuer`: the
// cert-manager.io/v1 Certificate of a route's hosts (Istio API), the
// Gateway annotations cert-manager's gateway-shim reads (Gateway API), and
// the wait for the Certificate's Ready condition. cert-manager's Go module
// is not linked: Certificates are unstructured objects of the dynamic
// client.
package certmanager

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Certificates is the resource of cert-manager's Certificates.
var Certificates = schema.GroupVersionResource{Group: "cert-manager.io", Version: "v1", Resource: "certificates"}

// Resource names the Certificates in messages and API errors.
const Resource = "certificates.cert-manager.io"

// SecretPrefix starts the names of the Secrets cert-manager writes for the
// tool (not LeafSecretPrefix: those are the tool's own CA's).
const SecretPrefix = "expose-gw-cert-"

// Issuer kinds of --issuer.
const (
	KindIssuer        = "Issuer"
	KindClusterIssuer = "ClusterIssuer"
)

// Issuer is --issuer: the cert-manager issuer that signs the certificate.
type Issuer struct {
	Kind string // KindIssuer or KindClusterIssuer
	Name string
}

func (i Issuer) String() string { return i.Kind + "/" + i.Name }

// ParseIssuer reads --issuer [ClusterIssuer/|Issuer/]NAME: a bare NAME is
// an Issuer, as in a Certificate's issuerRef (an Issuer is read in the
// Certificate's namespace).
func ParseIssuer(s string) (Issuer, error) {
	kind, name, ok := strings.Cut(s, "/")
	if !ok {
		kind, name = KindIssuer, s
	}
	if kind != KindIssuer && kind != KindClusterIssuer {
		return Issuer{}, fmt.Errorf("invalid --issuer %q: expected NAME, Issuer/NAME or ClusterIssuer/NAME", s)
	}
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return Issuer{}, fmt.Errorf("invalid --issuer %q: expected an issuer name (%s)", s, strings.Join(errs, "; "))
	}
	return Issuer{Kind: kind, Name: name}, nil
}

// SecretName is the Secret of the certificate of exactly hosts, in any
// order: expose-gw-cert-FIRST-HASH; the Certificate has the same name.
func SecretName(hosts []string) string {
	sorted := slices.Clone(hosts)
	slices.Sort(sorted)
	return route.Shorten(SecretPrefix+route.HostSlug(sorted[0])+"-"+route.ShortHash(strings.Join(sorted, ",")), 253)
}

// Certificate is the tool's Certificate ns/SecretName(hosts) for hosts,
// signed by iss.
func Certificate(ns string, hosts []string, iss Issuer) *unstructured.Unstructured {
	name := SecretName(hosts)
	dns := make([]any, len(hosts))
	for i, h := range hosts {
		dns[i] = h
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cert-manager.io/v1",
		"kind":       "Certificate",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{
			"secretName": name,
			"dnsNames":   dns,
			"issuerRef":  map[string]any{"group": "cert-manager.io", "kind": iss.Kind, "name": iss.Name},
		},
	}}
	u.SetLabels(route.ManagedLabels())
	return u
}

// Plan is the change that makes before (nil: none) the desired
// Certificate: kept when its spec says the same, updated when not, never
// one the tool did not make.
func Plan(before, desired *unstructured.Unstructured) (route.Change, error) {
	if before == nil {
		return route.ChangeOf(route.OpCreate, desired, nil), nil
	}
	if !route.IsManaged(before) {
		return route.Change{}, fmt.Errorf("Certificate %s/%s exists and was not made by kubectl expose-gw (no label %s=%s): expected the tool's own, left as it is: give --tls-secret %s to serve its Secret, or another --host",
			before.GetNamespace(), before.GetName(), route.ManagedByLabel, route.ManagedBy, nestedString(before, "spec", "secretName"))
	}
	if sameSpec(before, desired) {
		return route.ChangeOf(route.OpUnchanged, before, before), nil
	}
	next := before.DeepCopy()
	spec, _, _ := unstructured.NestedMap(next.Object, "spec")
	if spec == nil {
		spec = map[string]any{}
	}
	want, _, _ := unstructured.NestedMap(desired.Object, "spec")
	for k, v := range want {
		spec[k] = v // the fields the tool sets; the others stay
	}
	next.Object["spec"] = spec
	return route.ChangeOf(route.OpUpdate, next, before), nil
}

// sameSpec: before asks for what desired asks (the fields the tool sets;
// cert-manager's defaults and other fields are left as they are).
func sameSpec(before, desired *unstructured.Unstructured) bool {
	want, _, _ := unstructured.NestedMap(desired.Object, "spec")
	have, _, _ := unstructured.NestedMap(before.Object, "spec")
	for k, v := range want {
		if !reflect.DeepEqual(have[k], v) {
			return false
		}
	}
	return true
}

func nestedString(u *unstructured.Unstructured, fields ...string) string {
	s, _, _ := unstructured.NestedString(u.Object, fields...)
	return s
}

// Annotations are the Gateway annotations cert-manager's gateway-shim
// reads: the issuer of the Gateway's listeners' certificates.
var Annotations = []string{"cert-manager.io/issuer", "cert-manager.io/cluster-issuer"}

// AnnotationOf is the annotation naming an issuer of kind.
func AnnotationOf(kind string) string {
	if kind == KindClusterIssuer {
		return Annotations[1]
	}
	return Annotations[0]
}

// IssuerOfAnnotation is the --issuer value of annotation key=value.
func IssuerOfAnnotation(key, value string) Issuer {
	if key == Annotations[1] {
		return Issuer{Kind: KindClusterIssuer, Name: value}
	}
	return Issuer{Kind: KindIssuer, Name: value}
}
