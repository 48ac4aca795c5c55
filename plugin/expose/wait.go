package expose

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/certmanager"
	"github.com/expose-gw/kubectl-expose-gw/plugin/check"
	"github.com/expose-gw/kubectl-expose-gw/plugin/dial"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// waitRound is how often --wait asks the gateway again.
const waitRound = 500 * time.Millisecond

// waitForRoutes is --wait with the Istio API: it sends the request of
// `url --check` for each route just written, again and again, until each
// is answered by its own application (any status: the route works) or
// --wait ends. Then the objects stay as written either way.
func (o *ExposeOptions) waitForRoutes(ctx context.Context, api apis.API) error {
	t := o.req.Target
	targets, err := o.waitTargets(ctx, api)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.ErrOut, "Waiting up to %s for the gateway to route %d URL(s) to %s/%s\n", o.Wait, len(targets), t.Namespace, t.Service)
	wctx, cancel := context.WithTimeout(ctx, o.Wait)
	defer cancel()
	c := &check.Checker{Clients: o.Clients, Via: dial.ViaAuto, Timeout: min(o.Wait, 5*time.Second)}
	defer c.Close()
	said := map[string]string{}
	var items []check.Item
	tick := time.NewTicker(waitRound)
	defer tick.Stop()
	for start := time.Now(); ; {
		round := make([]check.Item, 0, len(targets))
		for _, tg := range targets {
			round = append(round, c.Check(wctx, tg))
		}
		if wctx.Err() == nil || items == nil {
			items = round // a round cut short by the deadline is not the gateway's answer
		}
		for _, it := range items {
			if v := it.Verdict(); said[it.URL+it.Host] != v {
				said[it.URL+it.Host] = v
				fmt.Fprintf(o.ErrOut, "  %s (Host: %s): %s\n", it.URL, it.Host, v)
			}
		}
		if check.AllOK(items) {
			fmt.Fprintf(o.ErrOut, "Routed after %s\n", time.Since(start).Round(100*time.Millisecond))
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err() // Ctrl-C: the objects stay, as written
		}
		if !next(wctx, tick) {
			break
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	failing := slices.DeleteFunc(slices.Clone(items), func(it check.Item) bool { return it.OK })
	if err := check.PrintText(o.ErrOut, failing); err != nil {
		return err
	}
	return fmt.Errorf("--wait %s ended before the gateway routed every URL to %s/%s (see above); the objects are kept: `kubectl expose-gw delete %s` removes them",
		o.Wait, t.Namespace, t.Service, t.Service)
}

// waitTargets are the routes of the request just written: the Service's
// routes on its hosts and paths.
func (o *ExposeOptions) waitTargets(ctx context.Context, api apis.API) ([]check.Target, error) {
	t := o.req.Target
	routes, err := api.ServiceRoutes(ctx, t.Namespace, t.Service, o.req.Gateway)
	if err != nil {
		return nil, err
	}
	var out []check.Target
	for _, r := range routes {
		if !slices.Contains(o.req.Hosts, r.Host) || !slices.ContainsFunc(o.req.Matches, func(m route.Match) bool { return m.Path == r.Path }) {
			continue
		}
		out = append(out, check.Target{API: api, Route: r, Service: t.Namespace + "/" + t.Service,
			Input: route.ProxyInput{Service: t.Service, Selector: o.req.Selector, Gateway: o.req.Gateway}})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--wait: the routes just written to %s/%s are not found among its routes: nothing to wait for", t.Namespace, t.Service)
	}
	return out, nil
}

// next waits for the next round: false when --wait's time is up.
func next(ctx context.Context, tick *time.Ticker) bool {
	select {
	case <-ctx.Done():
		return false
	case <-tick.C:
		return true
	}
}

// waitForCertificate is --tls cert-manager after the writes: with --wait,
// until cert-manager says the Certificate is Ready (the gateway serves
// nothing on the host's HTTPS port before); without, how to wait for it.
func (o *ExposeOptions) waitForCertificate(ctx context.Context, ref *route.ObjectRef) error {
	if ref == nil {
		return nil
	}
	if !o.waitGiven || o.Wait <= 0 {
		fmt.Fprintf(o.ErrOut, "cert-manager issues the certificate (Certificate %s): kubectl wait --for=condition=Ready certificate/%s -n %s, or give --wait 2m\n", ref, ref.Name, ref.Namespace)
		return nil
	}
	fmt.Fprintf(o.ErrOut, "Waiting up to %s for cert-manager to issue Certificate %s\n", o.Wait, ref)
	wctx, cancel := context.WithTimeout(ctx, o.Wait)
	defer cancel()
	err := certmanager.Wait(wctx, o.Clients.Dynamic, *ref, func(s string) { fmt.Fprintln(o.ErrOut, "  "+s) })
	if err == nil || ctx.Err() != nil {
		return ctx.Err()
	}
	t := o.req.Target
	return fmt.Errorf("--wait %s: %w; the objects are kept: `kubectl expose-gw delete %s` removes the routes, `kubectl delete certificate -n %s %s` the Certificate", o.Wait, err, t.Service, ref.Namespace, ref.Name)
}
