package main

import (
	"strings"

	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/resource"
)

// Message is one finding of Istio's analyzers.
type Message struct {
	Code      string `json:"code"`
	Level     string `json:"level"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Text      string `json:"text"`
}

// analyze runs the analyzers `istioctl analyze` runs over the snapshot's
// objects, as it does over files (-A, no live cluster).
func analyze(s *Snapshot, ks []kind) (msgs []Message, err error) {
	defer catch(&err)
	all, err := s.allYAML(ks)
	if err != nil {
		return nil, err
	}
	sa := local.NewSourceAnalyzer(analyzers.AllCombined(), resource.Namespace(""), resource.Namespace("istio-system"), nil)
	if err := sa.AddReaderKubeSource([]local.ReaderSource{{Name: "cluster", Reader: strings.NewReader(all)}}); err != nil {
		return nil, err
	}
	cancel := make(chan struct{})
	res, err := sa.Analyze(cancel)
	if err != nil {
		return nil, err
	}
	for _, m := range res.Messages {
		out := Message{Code: m.Type.Code(), Level: m.Type.Level().String(), Text: m.String()}
		if r := m.Resource; r != nil {
			out.Kind = r.Metadata.Schema.Kind()
			out.Namespace = r.Metadata.FullName.Namespace.String()
			out.Name = r.Metadata.FullName.Name.String()
		}
		msgs = append(msgs, out)
	}
	return msgs, nil
}
