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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// The --api values: auto picks one of the two others.
const apiAuto = "auto"

var apiValues = []string{apiAuto, model.APIIstio, model.APIGateway}

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

// apiChoice is how --api auto decides: the inputs it reads.
type apiChoice struct {
	clients  *Clients
	flag     string
	gateway  *model.ObjectRef  // --gateway, nil when not given
	selector map[string]string // --gateway-selector, nil when not given
	errOut   io.Writer
}

// choose returns the API to use. auto: --gateway naming an existing
// Gateway of either API selects that API; else the Istio API when pods
// match the Istio Gateway selector (resolve.FindGateway: the seed's world,
// unchanged); else the Gateway API when its CRDs are served and a
// GatewayClass of Istio's controller exists; else an error saying what is
// missing. auto says on stderr what it chose and why.
func (c apiChoice) choose(ctx context.Context) (string, error) {
	if c.flag != apiAuto {
		return c.flag, nil
	}
	if c.gateway != nil {
		ref := *c.gateway
		if _, err := c.clients.Istio.NetworkingV1().Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{}); err == nil {
			return c.say(model.APIIstio, fmt.Sprintf("--gateway %s is an Istio Gateway", ref))
		}
		if _, err := c.clients.Gateway.Gateways(ref.Namespace).Get(ctx, ref.Name, metav1.GetOptions{}); err == nil {
			return c.say(model.APIGateway, fmt.Sprintf("--gateway %s is a Gateway API Gateway", ref))
		}
	}
	g, err := resolve.FindGateway(ctx, c.clients.Kube, resolve.Options{Selector: c.selector})
	var none *resolve.NoGatewayError
	if !errors.As(err, &none) {
		// Istio gateway pods (or no way to tell: the Istio API, as before).
		why := "pods match the Istio Gateway selector"
		if g != nil {
			why = "pods match " + model.FormatSelector(g.Selector)
		}
		return c.say(model.APIIstio, why)
	}
	sel := model.FormatSelector(resolve.DefaultSelector)
	if c.selector != nil {
		sel = model.FormatSelector(c.selector)
	}
	class, err := istioClass(ctx, c.clients)
	switch {
	case err != nil:
		return "", fmt.Errorf("no Istio ingress gateway pods (no pod matches %s) and %v", sel, err)
	case class == "":
		return "", fmt.Errorf("no Istio ingress gateway pods (no pod matches %s) and no GatewayClass of Istio (controllerName %s): install Istio's ingress gateway (istioctl install) for the Istio API, or the Gateway API CRDs and Istio (which creates GatewayClass %s) for the Gateway API", sel, gwapi.ControllerName, gwapi.ClassName)
	}
	return c.say(model.APIGateway, fmt.Sprintf("no pod matches %s, and GatewayClass %s is Istio's (%s)", sel, class, gwapi.ControllerName))
}

// say tells the user which API auto chose.
func (c apiChoice) say(api, why string) (string, error) {
	fmt.Fprintf(c.errOut, "using the %s API: %s (--api to choose)\n", apiTitle(api), why)
	return api, nil
}

func apiTitle(api string) string {
	if api == model.APIGateway {
		return "Kubernetes Gateway"
	}
	return "Istio"
}

// istioClass is the name of a GatewayClass of Istio's controller ("" when
// there is none), or why it cannot be told.
func istioClass(ctx context.Context, c *Clients) (string, error) {
	l, err := c.Gateway.GatewayClasses().List(ctx, metav1.ListOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return "", fmt.Errorf("the Gateway API CRDs are not installed (no gatewayclasses.gateway.networking.k8s.io): install them (kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.3/standard-install.yaml) and Istio, or Istio's ingress gateway for the Istio API")
	case err != nil:
		return "", fmt.Errorf("cannot list GatewayClasses: %v", ExplainAPIError(err, "list", "gatewayclasses.gateway.networking.k8s.io"))
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
