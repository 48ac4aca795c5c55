package route

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Ownership label of every object the tool creates.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "kubectl-expose-gw"
	FieldManager   = "kubectl-expose-gw"
	// DefaultGatewayName is the tool's Gateway for the default selector.
	DefaultGatewayName = "expose-gw"
	// CASecretName is the Secret of the tool's CA (--tls self-signed),
	// LeafSecretPrefix the start of its certificates' Secret names.
	CASecretName     = "expose-gw-ca"
	LeafSecretPrefix = "expose-gw-tls-"
)

// IsManaged is true for objects the tool made.
func IsManaged(m metav1.Object) bool { return m.GetLabels()[ManagedByLabel] == ManagedBy }

// ManagedLabels are the labels of every object the tool creates.
func ManagedLabels() map[string]string { return map[string]string{ManagedByLabel: ManagedBy} }
