package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// getService gets the Service a command's SERVICE argument names, for
// expose, url and proxy alike. A missing Service is worded by
// serviceNotFound with suggestions (the subcommands the name may be a typo
// of), or by namespaceNotFound when the namespace itself is missing (when
// namespaces may not be read, the Service is said to be missing).
func GetService(ctx context.Context, c Kube, ns, name string, suggestions []string) (*corev1.Service, error) {
	svc, err := c.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	switch {
	case err == nil:
		return svc, nil
	case apierrors.IsNotFound(err):
		if _, nerr := c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); apierrors.IsNotFound(nerr) {
			return nil, NamespaceNotFound(ns)
		}
		return nil, ServiceNotFound(name, ns, suggestions)
	default:
		return nil, ExplainAPIError(err, "get", ServicesResource)
	}
}

// servicesResource names Services in API errors.
const ServicesResource = "services"
