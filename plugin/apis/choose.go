package apis

import (
	"context"
	"errors"
	"fmt"

	"github.com/expose-gw/kubectl-expose-gw/plugin/gwapi"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// Choice is what --api auto decides from.
type Choice struct {
	// Flag is --api.
	Flag string
	// Gateway is --gateway, nil when not given.
	Gateway *route.ObjectRef
	// IstioFlags: an Istio API flag choosing the gateway was given
	// (--gateway-selector, --ingress-service, --ingress-namespace).
	IstioFlags bool
	// Say says why auto chose the Gateway API (a line for stderr).
	Say func(string)
}

// Choose returns the API to use. auto: --gateway naming an existing
// Gateway of either API selects that API; an Istio API flag the Istio
// API; else the Istio API when pods match the Istio Gateway selector (the
// seed's world, unchanged, also when it cannot tell); else the Gateway
// API when a GatewayClass of Istio's controller exists; else a
// *NoAPIError saying what is missing and how to install it. auto says
// why it chose the Gateway API; choosing the Istio API, it is silent
// (every command of the Istio API's world would otherwise gain a line).
func (s *Set) Choose(ctx context.Context, ch Choice) (API, error) {
	if ch.Flag != Auto {
		return s.Named(ch.Flag), nil
	}
	if ch.Gateway != nil {
		ref := *ch.Gateway
		if s.istio.HasGateway(ctx, ref) {
			return s.istio, nil
		}
		if s.gw.HasGateway(ctx, ref) {
			return s.say(ch, fmt.Sprintf("--gateway %s is a Gateway API Gateway", ref))
		}
	}
	if ch.IstioFlags {
		return s.istio, nil
	}
	none := s.istio.NoGateway()
	if none == nil {
		return s.istio, nil
	}
	class, err := s.gw.IstioClass(ctx)
	var missing *gwapi.MissingError
	switch {
	case errors.As(err, &missing):
		return nil, &NoAPIError{Istio: none, CRDsMissing: true}
	case err != nil:
		return nil, fmt.Errorf("no Istio ingress gateway pods (%v) and %v", none, err)
	case class == "":
		return nil, &NoAPIError{Istio: none}
	}
	return s.say(ch, fmt.Sprintf("no Istio ingress gateway pods (no pod matches %s), and GatewayClass %s is Istio's (%s)", route.FormatSelector(resolve.DefaultSelector), class, gwapi.ControllerName))
}

// say tells the user that auto chose the Gateway API, and why.
func (s *Set) say(ch Choice, why string) (API, error) {
	ch.Say(fmt.Sprintf("using the %s: %s; --api chooses", s.gw.Title(), why))
	return s.gw, nil
}

// ForService are the APIs whose routes to a SERVICE url and proxy read:
// the one of --api; with auto both, the Istio API's first, unless
// --gateway names a Gateway of one of them (Choose).
func (s *Set) ForService(ctx context.Context, ch Choice) ([]API, error) {
	switch {
	case ch.Flag != Auto:
		return []API{s.Named(ch.Flag)}, nil
	case ch.Gateway == nil:
		return s.All(), nil
	}
	a, err := s.Choose(ctx, Choice{Flag: ch.Flag, Gateway: ch.Gateway, Say: ch.Say})
	if err != nil {
		return nil, err
	}
	return []API{a}, nil
}

// Neither is, for --api auto without --gateway or an Istio API flag, the
// one error naming both APIs when there are no Istio ingress gateway pods
// and, although Istio's GatewayClass exists, no Gateway of Istio: nothing
// to reach with either API. nil otherwise (Choose decides).
func (s *Set) Neither(ctx context.Context, ch Choice) error {
	if ch.Flag != Auto || ch.Gateway != nil || ch.IstioFlags {
		return nil
	}
	none := s.istio.NoGateway()
	if none == nil {
		return nil
	}
	if class, err := s.gw.IstioClass(ctx); err != nil || class == "" {
		return nil
	}
	if s.gw.HasIstioGateway(ctx) {
		return nil
	}
	return fmt.Errorf("%w; nor is there a Gateway of class %s for the Gateway API (create one with `kubectl expose-gw SERVICE`)", none, gwapi.ClassName)
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
			e.Istio, gwapi.Install, gwapi.ClassName)
	}
	return fmt.Sprintf("%v; nor is there a GatewayClass of Istio's controller %s for the Gateway API (Istio creates GatewayClass %s when the Gateway API CRDs are installed before it)",
		e.Istio, gwapi.ControllerName, gwapi.ClassName)
}
