package apis

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// Auto is the --api value that picks one of the two others (Choose).
const Auto = "auto"

var values = []string{Auto, route.APIIstio, route.APIGateway}

// AddFlag adds --api to cmd.
func AddFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "api", Auto, "Traffic API: "+strings.Join(values, "|")+
		" (auto: the Istio API when pods match the Istio Gateway selector, else the Gateway API when Istio's GatewayClass exists)")
}

// Validate checks an --api value.
func Validate(v string) error {
	if !slices.Contains(values, v) {
		return fmt.Errorf("invalid --api %q: expected one of %s", v, strings.Join(values, ", "))
	}
	return nil
}

// ParseTarget validates --api and reads --gateway [NS/]NAME (nil when
// not given; the namespace is filled in once known), for url and proxy.
func ParseTarget(api, gateway string) (*route.ObjectRef, error) {
	if err := Validate(api); err != nil {
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

// ValidateIstioFlags: the Istio API's gateway flags choose the gateway,
// as --gateway does, and mean nothing to the Gateway API.
func ValidateIstioFlags(api, gateway, selector, service, namespace string) error {
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
