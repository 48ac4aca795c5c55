package main

import (
	"context"
	"fmt"
	"strings"

	"istio.io/istio/pkg/kube"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
	metadatafake "k8s.io/client-go/metadata/fake"
	clienttesting "k8s.io/client-go/testing"
)

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// gatewayAPIGroup is the group of the CRDs whose bundle version Istio checks.
const gatewayAPIGroup = ".gateway.networking.k8s.io"

// loadCRDs reads the annotations of the cluster's Gateway API CRDs by CRD
// name (metadata only: the schemas are large), and a fingerprint.
func loadCRDs(ctx context.Context, mc metadata.Interface) (map[string]map[string]string, string, error) {
	l, err := mc.Resource(crdGVR).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, "", fmt.Errorf("listing CRDs: %w", err)
	}
	out := map[string]map[string]string{}
	var fp strings.Builder
	for _, it := range l.Items {
		if strings.HasSuffix(it.Name, gatewayAPIGroup) {
			out[it.Name] = it.Annotations
			fmt.Fprintf(&fp, "crd/%s@%s;", it.Name, it.ResourceVersion)
		}
	}
	return out, fp.String(), nil
}

// clusterCRDs makes the CRDs of the fake Kubernetes client (which the fake
// discovery server creates without annotations) carry the annotations of
// the cluster's CRD of the same name: Istio's CRD watcher ignores a Gateway
// API CRD without a gateway.networking.k8s.io/bundle-version annotation
// ("CRD ... expected to have a ... annotation"), or below the version it
// needs, as istiod does with the cluster's. A Gateway API CRD the cluster
// does not have is not created: Istio sees none, as in the cluster.
func clusterCRDs(crds map[string]map[string]string) func(kube.Client) {
	return func(c kube.Client) {
		fmc, ok := c.Metadata().(*metadatafake.FakeMetadataClient)
		if !ok {
			return
		}
		fmc.PrependReactor("*", "customresourcedefinitions", func(a clienttesting.Action) (bool, runtime.Object, error) {
			var obj runtime.Object
			switch a := a.(type) {
			case clienttesting.CreateAction:
				obj = a.GetObject()
			case clienttesting.UpdateAction:
				obj = a.GetObject()
			default:
				return false, nil, nil
			}
			m, ok := obj.(*metav1.PartialObjectMetadata)
			if !ok || !strings.HasSuffix(m.Name, gatewayAPIGroup) {
				return false, nil, nil
			}
			ann, present := crds[m.Name]
			if !present {
				return true, m, nil // dropped: the cluster has no such CRD
			}
			m.Annotations = map[string]string{}
			for k, v := range ann {
				m.Annotations[k] = v
			}
			return false, nil, nil // on to the tracker, annotated
		})
	}
}
