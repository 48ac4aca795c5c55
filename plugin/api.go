package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// The --api values: auto picks one of the two others.
const apiAuto = "auto"

var apiValues = []string{apiAuto, route.APIIstio, route.APIGateway}

func addAPIFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "api", apiAuto, "Traffic API: "+strings.Join(apiValues, "|")+
		" (auto: the Istio API when pods match the Istio Gateway selector, else the Gateway API when Istio's GatewayClass exists)")
}

func validateAPI(v string) error {
	if !slices.Contains(apiValues, v) {
		return fmt.Errorf("invalid --api %q: expected one of %s", v, strings.Join(apiValues, ", "))
	}
	return nil
}

// parseTarget validates --api and reads --gateway [NS/]NAME (nil when
// not given; the namespace is filled in once known), for url and proxy.
func parseTarget(api, gateway string) (*route.ObjectRef, error) {
	if err := validateAPI(api); err != nil {
		return nil, err
	}
	if gateway == "" {
		return nil, nil
	}
	ref, err := route.ParseGatewayRef(gateway, "")
	if err != nil {
		return nil, err
	}
	return &ref, nil
}

// validateIstioFlags: the Istio API's gateway flags choose the gateway,
// as --gateway does, and mean nothing to the Gateway API.
func validateIstioFlags(api, gateway, selector, service, namespace string) error {
	for _, f := range []struct{ name, value string }{{"gateway-selector", selector}, {"ingress-service", service}, {"ingress-namespace", namespace}} {
		switch {
		case f.value == "":
		case api == route.APIGateway:
			return fmt.Errorf("--%s %q is an Istio API flag: expected --gateway with --api %s", f.name, f.value, route.APIGateway)
		case gateway != "":
			return fmt.Errorf("--%s %q and --gateway %q both choose the gateway: give one", f.name, f.value, gateway)
		}
	}
	return nil
}

// apiChoice is how --api auto decides: the inputs it reads.
type apiChoice struct {
	clients *kube.Clients
	flag    string
	gateway *route.ObjectRef // --gateway, nil when not given
	// selectorGiven: --gateway-selector, an Istio API flag, was given.
	selectorGiven bool
	// ingress finds the Istio gateway pods (shared with the Istio API's
	// own look-up, so choosing costs no request in the Istio world).
	ingress *ingressLookup
	errOut  io.Writer
}

// choose returns the API to use. auto: --gateway naming an existing
// Gateway of either API selects that API; --gateway-selector the Istio
// API; else the Istio API when pods match the Istio Gateway selector
// (resolve.FindGateway: the seed's world, unchanged, also when it cannot
// tell); else the Gateway API when a GatewayClass of Istio's controller
// exists; else a *NoAPIError saying what is missing and how to install
// it. auto says on stderr why it chose the Gateway API; choosing the
// Istio API, it is silent (every command of the Istio API's world would
// otherwise gain a line).
func (c apiChoice) choose(ctx context.Context) (string, error) {
	if c.flag != apiAuto {
		return c.flag, nil
	}
	if c.gateway != nil {
		ref := *c.gateway
		if _, err := c.clients.Istio.NetworkingV1().Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{}); err == nil {
			return route.APIIstio, nil
		}
		if _, err := c.clients.Gateway.Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{}); err == nil {
			return c.say(route.APIGateway, fmt.Sprintf("--gateway %s is a Gateway API Gateway", ref))
		}
	}
	if c.selectorGiven {
		return route.APIIstio, nil
	}
	_, err := c.ingress.pods()
	var none *resolve.NoGatewayError
	if !errors.As(err, &none) {
		return route.APIIstio, nil
	}
	class, err := istioClass(ctx, c.clients)
	var missing *gatewayAPIMissing
	switch {
	case errors.As(err, &missing):
		return "", &NoAPIError{Istio: none, CRDsMissing: true}
	case err != nil:
		return "", fmt.Errorf("no Istio ingress gateway pods (%v) and %v", none, err)
	case class == "":
		return "", &NoAPIError{Istio: none}
	}
	return c.say(route.APIGateway, fmt.Sprintf("no Istio ingress gateway pods (no pod matches %s), and GatewayClass %s is Istio's (%s)", route.FormatSelector(resolve.DefaultSelector), class, gwapi.ControllerName))
}

// say tells the user which API auto chose.
func (c apiChoice) say(api, why string) (string, error) {
	fmt.Fprintf(c.errOut, "using the %s API: %s; --api chooses\n", apiTitle(api), why)
	return api, nil
}

func apiTitle(api string) string {
	if api == route.APIGateway {
		return "Kubernetes Gateway"
	}
	return "Istio"
}

// istioClass is the name of a GatewayClass of Istio's controller ("" when
// there is none), or why it cannot be told.
func istioClass(ctx context.Context, c *kube.Clients) (string, error) {
	l, err := c.Gateway.GatewayClasses().List(ctx, metav1.ListOptions{})
	switch {
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
		return "", &gatewayAPIMissing{}
	case err != nil:
		return "", fmt.Errorf("cannot list GatewayClasses: %v", kube.ExplainAPIError(err, "list", "gatewayclasses.gateway.networking.k8s.io"))
	}
	names := []string{}
	for _, gc := range l.Items {
		if string(gc.Spec.ControllerName) == gwapi.ControllerName {
			names = append(names, gc.Name)
		}
	}
	if len(names) == 0 {
		return "", nil
	}
	if slices.Contains(names, gwapi.ClassName) {
		return gwapi.ClassName, nil
	}
	slices.Sort(names)
	return names[0], nil
}

// NoAPIError: neither API has what it needs, an Istio ingress gateway's
// pods nor Istio's GatewayClass.
type NoAPIError struct {
	Istio *resolve.NoGatewayError
	// CRDsMissing: the cluster does not serve the Gateway API at all.
	CRDsMissing bool
}

func (e *NoAPIError) Error() string {
	if e.CRDsMissing {
		return fmt.Sprintf("%v; nor does the cluster serve the Gateway API: install its CRDs (%s) and then Istio, which creates GatewayClass %s",
			e.Istio, gatewayAPIInstall, gwapi.ClassName)
	}
	return fmt.Sprintf("%v; nor is there a GatewayClass of Istio's controller %s for the Gateway API (Istio creates GatewayClass %s when the Gateway API CRDs are installed before it)",
		e.Istio, gwapi.ControllerName, gwapi.ClassName)
}

// gatewayAPIInstall is how the Gateway API docs install its CRDs.
const gatewayAPIInstall = "kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.3/standard-install.yaml"

// gatewayAPIMissing: the cluster does not serve the Gateway API.
type gatewayAPIMissing struct{}

func (*gatewayAPIMissing) Error() string {
	return "the Gateway API CRDs are not installed (" + gatewayAPIInstall + ")"
}
