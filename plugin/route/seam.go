package route

import (
	"context"
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// The words of the seam between the commands and the APIs (package apis
// lists the APIs; each adapter, istio and gwapi, speaks these): the
// commands hand an API what the user asked for and get back changes,
// rows, routes and reports, never an object of the API.

// ExposeInput is what expose asks of an API, already validated.
type ExposeInput struct {
	Req  Expose
	Port PortRef
	// DryRun, and SelectorGiven: --gateway-selector was given (else the
	// Istio API finds the gateway).
	DryRun        DryRun
	SelectorGiven bool
	// Suggestions are the subcommands SERVICE may be a typo of.
	Suggestions []string
	// Wait bounds the wait for the controller's verdict (Gateway API).
	Wait time.Duration
	// Notes gets what the choices say (the gateway found, the Gateway
	// used, a Secret that could not be checked): the command says them
	// once the writes succeed. Out gets the URLs once written, ErrOut what
	// stops them being found.
	Notes       *Notes
	Out, ErrOut io.Writer
	// CA is filled with the CA of a --tls self-signed certificate.
	CA *CA
	// Certificate is set by the plan of --tls cert-manager: the
	// Certificate cert-manager issues (the command waits on it).
	Certificate *ObjectRef
}

// CA is the tool's CA that signed a --tls self-signed certificate: its
// certificate (PEM), its Secret (NAMESPACE/NAME), and whether this run
// made it.
type CA struct {
	PEM     []byte
	Secret  string
	Created bool
}

// Exposer is one API's side of expose: the command reads, plans, applies
// and reports through it, and knows no object of either API.
type Exposer interface {
	// Prepare runs once, before the first plan (look-ups, checks).
	Prepare(ctx context.Context) error
	// Plan reads the cluster (again on each attempt of the transaction;
	// first is the first one) and returns the changes and warnings.
	Plan(ctx context.Context, first bool) ([]Change, []string, error)
	// Caveats are what the applied plan could not check, said before
	// the objects are printed.
	Caveats() []string
	// Done runs after the changes are applied and printed (not for a dry
	// run): waiting for the controller, how to reach the routes.
	Done(ctx context.Context, result []Change) error
	// Close ends what Prepare started.
	Close()
}

// Deleter is one API's side of delete, over the rounds of one delete.
type Deleter interface {
	// Plan reads the cluster and plans the removal after what earlier
	// rounds wrote (Record): nothing of the request left to delete is a
	// *NoRouteError, unless an earlier round deleted it.
	Plan(ctx context.Context) ([]Change, []string, error)
	// Record notes an applied change (of any API: others are ignored).
	Record(Change)
}

// URLInput is what url asks of an API.
type URLInput struct {
	// HTTPS: only the https port and the HTTPS servers or listeners.
	HTTPS bool
	// Selector, IngressService and IngressNamespace choose the Istio
	// API's gateway (--gateway-selector, --ingress-service,
	// --ingress-namespace); Gateway is --gateway, nil when not given.
	Selector                         map[string]string
	IngressService, IngressNamespace string
	Gateway                          *ObjectRef
}

// IngressOptions are the look-up options of the Istio API's gateway
// Service that in asks for.
func (in URLInput) IngressOptions() resolve.Options {
	return resolve.Options{Selector: in.Selector, Service: in.IngressService, Namespace: in.IngressNamespace}
}

// Reach is how proxy reaches the gateway of a route (or, without one, of
// the API's default gateway): at an outside address, else by a
// port-forward to its pods.
type Reach struct {
	// Routes are the routes this gateway serves (narrowed from those
	// given to the ones on the same gateway and port).
	Routes []Route
	// Notes are said on stderr before proxying.
	Notes []Note
	// Endpoints are the outside addresses of the gateway's port for
	// scheme; *resolve.Unreachable when there is none.
	Endpoints func(ctx context.Context, scheme string) ([]resolve.Endpoint, error)
	// ServicePort is the gateway Service's port the routes are reached
	// on (what explain names the port by), 0 when not known.
	ServicePort int32
	// CredentialNamespace is where this gateway reads TLS Secrets (the
	// gateway pods' namespace; a Gateway API Gateway's own): where the
	// tool's CA of a --tls self-signed route lives.
	CredentialNamespace string
	// Forward is where a port-forward goes: the namespace and label
	// selector of the gateway pods, and the port on a pod.
	Forward func(ctx context.Context) (ns, selector string, port func(*corev1.Pod) (int32, error), err error)
}

// ProxyInput is what proxy asks of an API.
type ProxyInput struct {
	// Service is SERVICE, "" when not given.
	Service string
	HTTPS   bool
	// Selector is --gateway-selector; Gateway --gateway (nil when not
	// given).
	Selector map[string]string
	Gateway  *ObjectRef
	// ViaAuto: --via auto, where a gateway with no outside address is
	// reached by a port-forward.
	ViaAuto bool
}

// Note is a line said on stderr: a warning (said with kubectl's
// "Warning:" prefix), or plain.
type Note struct {
	Text    string
	Warning bool
}

// Notes are lines for stderr kept as data until the command says them.
type Notes struct{ list []Note }

// Say adds a plain line.
func (n *Notes) Say(text string) { n.list = append(n.list, Note{Text: text}) }

// Warn adds a warning for each of texts.
func (n *Notes) Warn(texts ...string) {
	for _, t := range texts {
		n.list = append(n.list, Note{Text: t, Warning: true})
	}
}

// List is the lines in the order they were added.
func (n *Notes) List() []Note { return n.list }
