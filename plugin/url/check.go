package url

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/check"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
)

// runCheck sends one request per route URL (of SERVICE, else of every
// Service of the namespace) through the gateway and prints who answered;
// exit 1 unless every one was answered by its own Service.
func (o *URLOptions) runCheck(ctx context.Context, set *apis.Set) error {
	targets, err := o.checkTargets(ctx, set)
	if err != nil {
		return err
	}
	c := &check.Checker{Clients: o.clients, Via: o.Via}
	defer c.Close()
	items := make([]check.Item, 0, len(targets))
	for _, t := range targets {
		items = append(items, c.Check(ctx, t))
	}
	if o.Output == "json" {
		err = check.PrintJSON(o.Out, items)
	} else {
		err = check.PrintText(o.Out, items)
	}
	if err != nil {
		return err
	}
	if !check.AllOK(items) {
		return &cli.ExitError{Code: 1}
	}
	return nil
}

// checkTargets are the routes to check: SERVICE's (a Service that is gone
// still has its routes checked: they get the gateway's 503), else those
// of every Service of the namespace.
func (o *URLOptions) checkTargets(ctx context.Context, set *apis.Set) ([]check.Target, error) {
	ns := o.clients.Namespace
	names := []string{o.Service}
	var gone error
	if o.Service != "" {
		if _, err := o.clients.Kube.CoreV1().Services(ns).Get(ctx, o.Service, metav1.GetOptions{}); err != nil {
			// kube.GetService says what is missing: the Service, or its
			// namespace (then there is nothing to check).
			_, gone = kube.GetService(ctx, o.clients.Kube, ns, o.Service, nil)
			if gone == nil || !apierrors.IsNotFound(err) {
				return nil, kube.ExplainAPIError(err, "get", kube.ServicesResource)
			}
		}
	} else {
		l, err := o.clients.Kube.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		names = serviceNames(l.Items)
	}
	asked, err := set.ForService(ctx, apis.Choice{Flag: o.API, Gateway: o.gatewayRef, Say: cli.Line(o.ErrOut)})
	if err != nil {
		return nil, err
	}
	var targets []check.Target
	for _, name := range names {
		res, err := apis.ServiceRoutes(ctx, asked, "checked", ns, name, o.gatewayRef)
		if err != nil {
			return nil, err
		}
		cli.Warn(o.ErrOut, res.Warnings...)
		for _, f := range res.Found {
			for _, r := range f.Items {
				if o.HTTPS && r.Scheme != "https" {
					continue
				}
				targets = append(targets, check.Target{API: f.API, Route: r, Service: ns + "/" + name,
					Input: route.ProxyInput{Service: name, Selector: o.selector, Gateway: o.gatewayRef}})
			}
		}
	}
	switch {
	case len(targets) > 0:
		return targets, nil
	case gone != nil:
		return nil, gone
	case o.Service != "":
		return nil, fmt.Errorf("no routes to service %s/%s to check: no %s in namespace %s routes to it through a Gateway (run `kubectl expose-gw %s` first)",
			ns, o.Service, apis.RouteKinds(asked), ns, o.Service)
	}
	return nil, fmt.Errorf("no routes to check in namespace %s: no %s routes to its Services through a Gateway", ns, apis.RouteKinds(asked))
}

func serviceNames(l []corev1.Service) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = s.Name
	}
	return out
}
