package kube_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
)

func TestExplainAPIError(t *testing.T) {
	vs := schema.GroupResource{Group: "networking.istio.io", Resource: "virtualservices"}
	cases := map[string]struct {
		err      error
		resource string
		want     string
	}{
		"nil stays nil": {nil, "virtualservices.networking.istio.io", ""},
		"forbidden names verb and resource": {
			apierrors.NewForbidden(vs, "x", errors.New("no")), "virtualservices.networking.istio.io",
			`forbidden: you may not create virtualservices.networking.istio.io (ask for RBAC permission to "create" "virtualservices.networking.istio.io")`,
		},
		// The apiserver's words name what was refused: a Gateway get met
		// inside a VirtualService list is not reported as the list.
		"forbidden names what the apiserver refused": {
			fmt.Errorf("getting Gateway infra/gw: %w", apierrors.NewForbidden(schema.GroupResource{Group: "networking.istio.io", Resource: "gateways"}, "gw",
				errors.New(`User "dev" cannot get resource "gateways" in API group "networking.istio.io" in the namespace "infra"`))),
			"virtualservices.networking.istio.io",
			`forbidden: you may not get gateways.networking.istio.io (ask for RBAC permission to "get" "gateways.networking.istio.io"): getting Gateway infra/gw: gateways.networking.istio.io "gw" is forbidden`,
		},
		"missing CRD asks about Istio": {
			&meta.NoKindMatchError{GroupKind: schema.GroupKind{Group: "networking.istio.io", Kind: "VirtualService"}},
			"virtualservices.networking.istio.io", "is Istio installed?",
		},
		"404 on the collection is a missing CRD": {
			apierrors.NewNotFound(vs, ""), "virtualservices.networking.istio.io", "is Istio installed?",
		},
		"404 of a named object is not": {
			apierrors.NewNotFound(vs, "flaskapp"), "virtualservices.networking.istio.io", `virtualservices.networking.istio.io "flaskapp" not found`,
		},
		"conflict says try again": {
			apierrors.NewConflict(vs, "flaskapp", errors.New("changed")), "virtualservices.networking.istio.io", "try again",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := kube.ExplainAPIError(c.err, "create", c.resource)
			if c.want == "" {
				assert.NoError(t, got)
				return
			}
			assert.ErrorContains(t, got, c.want)
			assert.ErrorIs(t, got, c.err)
		})
	}
}
