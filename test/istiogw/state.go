package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"sigs.k8s.io/yaml"
)

// kind is one resource the gateway reads. Config kinds go to pilot's config
// store, kube kinds to its fake Kubernetes client (Gateway API kinds go to
// both, as Istio's own tests pass them).
type kind struct {
	gvr           schema.GroupVersionResource
	config, kube  bool
	labelSelector string // list only these
}

var kinds = []kind{
	{gvr: schema.GroupVersionResource{Group: "networking.istio.io", Version: "v1", Resource: "gateways"}, config: true},
	{gvr: schema.GroupVersionResource{Group: "networking.istio.io", Version: "v1", Resource: "virtualservices"}, config: true},
	{gvr: schema.GroupVersionResource{Group: "networking.istio.io", Version: "v1", Resource: "destinationrules"}, config: true},
	{gvr: schema.GroupVersionResource{Group: "networking.istio.io", Version: "v1", Resource: "serviceentries"}, config: true},
	{gvr: schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gatewayclasses"}, config: true, kube: true},
	{gvr: schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}, config: true, kube: true},
	{gvr: schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}, config: true, kube: true},
	{gvr: schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "grpcroutes"}, config: true, kube: true},
	{gvr: schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1beta1", Resource: "referencegrants"}, config: true, kube: true},
	{gvr: schema.GroupVersionResource{Version: "v1", Resource: "services"}, kube: true},
	{gvr: schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, kube: true},
	// Pods and EndpointSlices are the endpoints of Services: Istio resolves
	// a Gateway API Gateway's addresses only when its Service has some.
	{gvr: schema.GroupVersionResource{Version: "v1", Resource: "pods"}, kube: true},
	{gvr: schema.GroupVersionResource{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"}, kube: true},
	// Secrets: Istio's Gateway API translation checks a listener's
	// certificateRefs against them (a missing one drops the listener).
	{gvr: schema.GroupVersionResource{Version: "v1", Resource: "secrets"}, kube: true},
}

// Snapshot is the cluster's objects at one moment.
type Snapshot struct {
	Objects     map[schema.GroupVersionResource][]unstructured.Unstructured
	Fingerprint string
	// crdAnnotations are the annotations of the Gateway API CRDs by name.
	crdAnnotations map[string]map[string]string
}

// present is the kinds the apiserver serves (the Gateway API CRDs may be
// missing).
func present(dc discovery.DiscoveryInterface) ([]kind, error) {
	var out []kind
	for _, k := range kinds {
		rl, err := dc.ServerResourcesForGroupVersion(k.gvr.GroupVersion().String())
		if err != nil {
			continue // group not served
		}
		for _, r := range rl.APIResources {
			if r.Name == k.gvr.Resource {
				out = append(out, k)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the apiserver serves none of the kinds the gateway reads")
	}
	return out, nil
}

// load lists every kind (a quorum read each) and the Gateway API CRDs into
// a snapshot.
func load(ctx context.Context, dc dynamic.Interface, mc metadata.Interface, ks []kind) (*Snapshot, error) {
	s := &Snapshot{Objects: map[schema.GroupVersionResource][]unstructured.Unstructured{}}
	var fp strings.Builder
	crds, crdFP, err := loadCRDs(ctx, mc)
	if err != nil {
		return nil, err
	}
	s.crdAnnotations = crds
	fp.WriteString(crdFP)
	for _, k := range ks {
		l, err := dc.Resource(k.gvr).List(ctx, metav1.ListOptions{LabelSelector: k.labelSelector})
		if apierrors.IsNotFound(err) { // the CRD was removed: no such objects
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", k.gvr.Resource, err)
		}
		items := l.Items
		sort.Slice(items, func(i, j int) bool {
			if items[i].GetNamespace() != items[j].GetNamespace() {
				return items[i].GetNamespace() < items[j].GetNamespace()
			}
			return items[i].GetName() < items[j].GetName()
		})
		for _, it := range items {
			fmt.Fprintf(&fp, "%s/%s/%s@%s;", k.gvr.Resource, it.GetNamespace(), it.GetName(), it.GetResourceVersion())
		}
		s.Objects[k.gvr] = items
	}
	s.Fingerprint = fp.String()
	return s, nil
}

// yamlOf writes the objects of the kinds selected by pick as one YAML
// stream, without status and managed fields.
func (s *Snapshot) yamlOf(ks []kind, pick func(kind) bool, withStatus bool) (string, error) {
	var b bytes.Buffer
	for _, k := range ks {
		if !pick(k) {
			continue
		}
		for _, it := range s.Objects[k.gvr] {
			o := it.DeepCopy()
			o.SetManagedFields(nil)
			if !withStatus {
				unstructured.RemoveNestedField(o.Object, "status")
			}
			y, err := yaml.Marshal(o.Object)
			if err != nil {
				return "", err
			}
			b.WriteString("---\n")
			b.Write(y)
		}
	}
	return b.String(), nil
}

// configYAML is pilot's config input, kubeYAML its Kubernetes objects.
func (s *Snapshot) configYAML(ks []kind) (string, error) {
	return s.yamlOf(ks, func(k kind) bool { return k.config }, false)
}

func (s *Snapshot) kubeYAML(ks []kind) (string, error) {
	return s.yamlOf(ks, func(k kind) bool { return k.kube }, true)
}

// allYAML is everything, for the analyzers.
func (s *Snapshot) allYAML(ks []kind) (string, error) {
	return s.yamlOf(ks, func(kind) bool { return true }, true)
}

// certificate is the key pair of a TLS Secret, as Istio's SDS serves a
// credentialName to the gateway: tls.crt and tls.key (or cert and key).
func (s *Snapshot) certificate(ns, name string) (*tls.Certificate, error) {
	for _, it := range s.Objects[schema.GroupVersionResource{Version: "v1", Resource: "secrets"}] {
		if it.GetNamespace() != ns || it.GetName() != name {
			continue
		}
		data, _, _ := unstructured.NestedStringMap(it.Object, "data")
		crt, key := data["tls.crt"], data["tls.key"]
		if crt == "" {
			crt, key = data["cert"], data["key"]
		}
		c, err1 := base64.StdEncoding.DecodeString(crt)
		k, err2 := base64.StdEncoding.DecodeString(key)
		if err := cmp.Or(err1, err2); err != nil {
			return nil, fmt.Errorf("secret %s/%s: %w", ns, name, err)
		}
		pair, err := tls.X509KeyPair(c, k)
		if err != nil {
			return nil, fmt.Errorf("secret %s/%s: %w", ns, name, err)
		}
		return &pair, nil
	}
	return nil, fmt.Errorf("secret %s/%s not found", ns, name)
}

// gatewayPod is the labels of the gateway workload in ns: the first
// scheduled pod (by name) matching sel, nil when there is none.
func (s *Snapshot) gatewayPod(ns string, sel func(map[string]string) bool) map[string]string {
	for _, it := range s.Objects[schema.GroupVersionResource{Version: "v1", Resource: "pods"}] {
		if it.GetNamespace() != ns || !sel(it.GetLabels()) || it.GetDeletionTimestamp() != nil {
			continue
		}
		// Scheduled is enough: a real gateway pod turns Ready only once
		// Envoy has its configuration, which here is built at once.
		if node, _, _ := unstructured.NestedString(it.Object, "spec", "nodeName"); node == "" {
			continue
		}
		return it.GetLabels()
	}
	return nil
}
