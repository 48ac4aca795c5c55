package istio

import (
	"context"
	"encoding/json"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	sigsjson "sigs.k8s.io/json"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

// Lists of thousands of VirtualServices are decoded here, not by the
// typed client: Istio's generated UnmarshalJSON goes through
// golang/protobuf's jsonpb, whose reflection-based decoder spent most of
// a command's time on them (docs/performance.md). The envelope is
// decoded as the apiserver's JSON codec does it (sigs.k8s.io/json), each
// spec and status with protojson, the decoder jsonpb itself wraps; an
// item protojson refuses is decoded the generated way.
// TestFastDecodeMatchesTheLibrary compares both.

// rawList is a list as the apiserver sends it, specs not decoded yet.
type rawList struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        metav1.ListMeta `json:"metadata"`
	Items           []rawItem       `json:"items"`
}

type rawItem struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        metav1.ObjectMeta `json:"metadata"`
	Spec            json.RawMessage   `json:"spec"`
	Status          json.RawMessage   `json:"status"`
}

var protoJSON = protojson.UnmarshalOptions{DiscardUnknown: true}

// decodeItem fills obj's spec and status from it: with protojson, else
// (refused) by decoding the whole item the generated way into obj.
func decodeItem(it *rawItem, obj any, spec, status proto.Message) error {
	if err := decodeProto(it.Spec, spec); err == nil {
		if err = decodeProto(it.Status, status); err == nil {
			return nil
		}
	}
	proto.Reset(spec)
	proto.Reset(status)
	b, err := json.Marshal(it)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, obj)
}

func decodeProto(b json.RawMessage, m proto.Message) error {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return protoJSON.Unmarshal(b, m)
}

func decodeVirtualServices(b []byte) (*networkingv1.VirtualServiceList, error) {
	items, meta, err := decodeList(b, func(it *rawItem) (*networkingv1.VirtualService, error) {
		vs := &networkingv1.VirtualService{TypeMeta: it.TypeMeta, ObjectMeta: it.Metadata}
		return vs, decodeItem(it, vs, &vs.Spec, &vs.Status)
	})
	if err != nil {
		return nil, err
	}
	return &networkingv1.VirtualServiceList{ListMeta: meta, Items: items}, nil
}

func decodeGateways(b []byte) (*networkingv1.GatewayList, error) {
	items, meta, err := decodeList(b, func(it *rawItem) (*networkingv1.Gateway, error) {
		g := &networkingv1.Gateway{TypeMeta: it.TypeMeta, ObjectMeta: it.Metadata}
		return g, decodeItem(it, g, &g.Spec, &g.Status)
	})
	if err != nil {
		return nil, err
	}
	return &networkingv1.GatewayList{ListMeta: meta, Items: items}, nil
}

// decodeList decodes a list's envelope and each item with item.
func decodeList[T any](b []byte, item func(*rawItem) (T, error)) ([]T, metav1.ListMeta, error) {
	var raw rawList
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(b, &raw); err != nil {
		return nil, raw.Metadata, err
	}
	out := make([]T, len(raw.Items))
	for i := range raw.Items {
		o, err := item(&raw.Items[i])
		if err != nil {
			return nil, raw.Metadata, err
		}
		out[i] = o
	}
	return out, raw.Metadata, nil
}

// rawLister is a client that can list a resource's raw JSON (the tool's
// own clientset; the libraries' fakes in tests are not, and list typed).
type rawLister interface{ RESTClient() rest.Interface }

// listRaw gets one page of resource in ns as the apiserver sends it.
func listRaw(ctx context.Context, rc rest.Interface, resource, ns string, o metav1.ListOptions) ([]byte, error) {
	return rc.Get().NamespaceIfScoped(ns, ns != "").Resource(resource).VersionedParams(&o, kube.ParameterCodec).DoRaw(ctx)
}
