package kube

import (
	istionet "istio.io/client-go/pkg/apis/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// addIstioToScheme registers Istio's networking.istio.io/v1 kinds in s.
func addIstioToScheme(s *runtime.Scheme) error { return istionet.AddToScheme(s) }
