package kube

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
)

// ExplainAPIError turns an API error met while doing verb on resource into
// one line a user can act on: missing Istio CRDs, forbidden verbs, conflicts,
// unreachable clusters. Other errors are wrapped unchanged.
func ExplainAPIError(err error, verb, resource string) error {
	if err == nil {
		return nil
	}
	switch {
	case (meta.IsNoMatchError(err) || IsMissingCRD(err, resource)) && strings.Contains(resource, "gateway.networking.k8s.io"):
		return &NotServedError{fmt.Errorf("cannot %s %s: the Gateway API (gateway.networking.k8s.io) is not served by this cluster (are its CRDs installed?): %w", verb, resource, err)}
	case meta.IsNoMatchError(err) || IsMissingCRD(err, resource):
		return &NotServedError{fmt.Errorf("cannot %s %s: the networking.istio.io API is not served by this cluster (is Istio installed?): %w", verb, resource, err)}
	case apierrors.IsForbidden(err):
		verb, resource := refused(err, verb, resource)
		return fmt.Errorf("forbidden: you may not %s %s (ask for RBAC permission to %q %q): %w", verb, resource, verb, resource, err)
	case apierrors.IsConflict(err):
		return fmt.Errorf("cannot %s %s: it was changed by someone else meanwhile, try again: %w", verb, resource, err)
	default:
		return fmt.Errorf("cannot %s %s: %w", verb, resource, err)
	}
}

// cannotVerb finds the verb in the apiserver's words for a request RBAC
// refused: `User "u" cannot get resource "gateways" in API group ...`.
var cannotVerb = regexp.MustCompile(`cannot (\w+) resource `)

// refused is the verb and resource a Forbidden error was refused for, as
// the apiserver's own status details and message say (as kubectl reports
// them); the caller's when they say nothing, so that an error met on the
// way (another kind's get inside a list) is named for what was refused.
func refused(err error, verb, resource string) (string, string) {
	var se *apierrors.StatusError
	if !errors.As(err, &se) || se.ErrStatus.Details == nil || se.ErrStatus.Details.Kind == "" {
		return verb, resource
	}
	d := se.ErrStatus.Details
	resource = d.Kind
	if d.Group != "" {
		resource += "." + d.Group
	}
	if m := cannotVerb.FindStringSubmatch(se.ErrStatus.Message); m != nil {
		verb = m[1]
	}
	return verb, resource
}

// NotServedError is a request for an API whose CRDs are not installed.
type NotServedError struct{ err error }

func (e *NotServedError) Error() string { return e.err.Error() }
func (e *NotServedError) Unwrap() error { return e.err }

// IsMissingCRD is true for the 404 an apiserver answers for a
// networking.istio.io, gateway.networking.k8s.io or cert-manager.io
// resource whose CRD is not installed.
func IsMissingCRD(err error, resource string) bool {
	if !apierrors.IsNotFound(err) || !strings.Contains(resource, "networking.istio.io") && !strings.Contains(resource, "gateway.networking.k8s.io") && !strings.Contains(resource, "cert-manager.io") {
		return false
	}
	var se *apierrors.StatusError
	if errors.As(err, &se) && se.ErrStatus.Details != nil && se.ErrStatus.Details.Name != "" {
		return false // a named object is missing, the API is there
	}
	return true
}

// The mistakes several commands report are worded below, once: commands
// call these rather than writing their own sentence.

// serviceNotFound is the error for a SERVICE argument that names no Service
// of ns. suggestions are the subcommands the name may be a typo of (a
// mistyped `kubectl expose-gw lsit` reads "lsit" as a Service).
func ServiceNotFound(name, ns string, suggestions []string) error {
	msg := fmt.Sprintf("service %q not found in namespace %q: expected an existing Service (see kubectl get services -n %s)", name, ns, ns)
	if len(suggestions) > 0 {
		msg += "; did you mean " + OrList(suggestions) + "?"
	}
	return errors.New(msg)
}

// namespaceNotFound is the error for -n naming no namespace.
func NamespaceNotFound(ns string) error {
	return fmt.Errorf("namespace %q not found: expected an existing namespace (see kubectl get namespaces), given by -n or the kubeconfig's context", ns)
}

// notServed is whether err says an API is not served (its CRDs missing).
func NotServed(err error) bool {
	var ns *NotServedError
	return errors.As(err, &ns)
}
