package kube

import (
	"k8s.io/apimachinery/pkg/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// addGatewayToScheme registers the Gateway API's gateway.networking.k8s.io/v1
// kinds in s.
func addGatewayToScheme(s *runtime.Scheme) error { return gwv1.Install(s) }
