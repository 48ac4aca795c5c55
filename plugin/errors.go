package plugin

import (
	"errors"
	"fmt"
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
	case meta.IsNoMatchError(err) || isMissingIstioCRD(err, resource):
		return fmt.Errorf("cannot %s %s: the networking.istio.io API is not served by this cluster (is Istio installed?): %w", verb, resource, err)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("forbidden: you may not %s %s (ask for RBAC permission to %q %q): %w", verb, resource, verb, resource, err)
	case apierrors.IsConflict(err):
		return fmt.Errorf("cannot %s %s: it was changed by someone else meanwhile, try again: %w", verb, resource, err)
	default:
		return fmt.Errorf("cannot %s %s: %w", verb, resource, err)
	}
}

// isMissingIstioCRD is true for the 404 an apiserver answers for a
// networking.istio.io resource whose CRD is not installed.
func isMissingIstioCRD(err error, resource string) bool {
	if !apierrors.IsNotFound(err) || !strings.Contains(resource, "networking.istio.io") {
		return false
	}
	var se *apierrors.StatusError
	if errors.As(err, &se) && se.ErrStatus.Details != nil && se.ErrStatus.Details.Name != "" {
		return false // a named object is missing, the API is there
	}
	return true
}
