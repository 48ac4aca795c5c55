package diagnose

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/portforward"
)

// AdminPort is Envoy's admin interface in an Istio proxy pod.
const AdminPort = 15000

// Live reads what a pod of the gateway Service of e runs (Envoy's admin
// /config_dump, through a port-forward to port 15000), walks the request
// through it as Envoy does, and sets e.Live: where it goes and whether
// that agrees with the objects' verdict (e).
func Live(ctx context.Context, c *kube.Clients, e *route.Explanation, in *route.ExplainInput) error {
	svc, err := c.Kube.CoreV1().Services(e.Gateway.Namespace).Get(ctx, e.Gateway.Service, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("--live: the gateway Service %s/%s: %w", e.Gateway.Namespace, e.Gateway.Service, err)
	}
	pod, dump, err := configDump(ctx, c, svc)
	if err != nil {
		return err
	}
	req := envoy.Request{Host: in.Authority, Method: in.Method, Path: in.Path, Query: in.Query, Header: in.Header, TLS: in.Scheme == "https"}
	sni := ""
	if req.TLS {
		sni = in.Host
	}
	w := dump.Walk(uint32(e.Gateway.TargetPort), sni, req)
	l := &route.ExplainLive{Pod: pod, Listener: w.Listener, RouteConfig: w.RouteConfig, VirtualHost: w.VirtualHost, Stop: w.Stop}
	if r := w.Route; r != nil {
		l.Route = r.Origin.Match
		if r.Origin.Name != "" {
			l.Config = r.Origin.Kind + " " + r.Origin.Namespace + "/" + r.Origin.Name
		}
		l.Action = actionOf(r)
	}
	l.Difference = difference(e, w)
	l.Agrees = l.Difference == ""
	e.Live = l
	return nil
}

// configDump fetches /config_dump from a Ready pod of svc.
func configDump(ctx context.Context, c *kube.Clients, svc *corev1.Service) (string, *envoy.Dump, error) {
	pool := portforward.NewPool(portforward.PoolOptions{
		Kube: c.Kube, Connect: portforward.NewConnect(c.Config, c.Kube),
		Namespace: svc.Namespace, Selector: labels.SelectorFromSet(svc.Spec.Selector).String(),
		Port: func(*corev1.Pod) (int32, error) { return AdminPort, nil }, Size: 1,
		Logf: func(string, ...any) {},
	})
	if err := pool.Start(ctx); err != nil {
		return "", nil, fmt.Errorf("--live: cannot port-forward to the admin port %d of a pod of %s/%s: %w", AdminPort, svc.Namespace, svc.Name, err)
	}
	defer pool.Close()
	pod := svc.Namespace + "/" + pool.Pod()
	hc := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DialContext: pool.DialContext}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://localhost/config_dump", nil)
	if err != nil {
		return "", nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("--live: reading /config_dump of pod %s: %w", pod, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("--live: reading /config_dump of pod %s: %s %v", pod, resp.Status, err)
	}
	d, err := envoy.ParseDump(b)
	if err != nil {
		return "", nil, fmt.Errorf("--live: pod %s: %w", pod, err)
	}
	return pod, d, nil
}

// actionOf says what an Envoy route does.
func actionOf(r *envoy.Route) string {
	switch {
	case r.Forward != nil && len(r.Forward.Backends) > 0:
		b := Heaviest(r.Forward.Backends)
		return fmt.Sprintf("forward to %s:%d", b.Host, b.Port)
	case r.Redirect != nil:
		return "redirect"
	case r.Direct != nil:
		return fmt.Sprintf("direct response %d", r.Direct.Status)
	}
	return "none"
}

// difference is where the running gateway and the objects part, "" when
// they agree: whether a route takes the request, which object's, and
// where it sends it.
func difference(e *route.Explanation, w envoy.Walked) string {
	model := "by the objects, "
	switch {
	case e.Route == nil && w.Route == nil:
		return ""
	case e.Route == nil:
		return model + "no rule takes the request; the gateway's route " + describe(w.Route) + " does: its configuration is older than the objects (not pushed yet) or Istio rejected a change"
	case w.Route == nil:
		return fmt.Sprintf("%srule %d of %s %s/%s takes the request; the gateway stops: %s: istiod has not pushed the change to it yet, or Istio rejected the object (istioctl analyze)",
			model, e.Route.Rule, e.Route.Kind, e.Route.Namespace, e.Route.Name, w.Stop)
	case !sameRule(e.Route, w.Route):
		return fmt.Sprintf("%srule %d of %s %s/%s takes the request; the gateway's route %s does: not pushed yet, or Istio rejected a change",
			model, e.Route.Rule, e.Route.Kind, e.Route.Namespace, e.Route.Name, describe(w.Route))
	case e.Backend != nil && w.Route.Forward != nil && len(w.Route.Forward.Backends) > 0:
		b := Heaviest(w.Route.Forward.Backends)
		if b.Host != e.Backend.Host || int32(b.Port) != e.Backend.Port {
			return fmt.Sprintf("%sthe rule sends it to %s:%d; the gateway sends it to %s:%d", model, e.Backend.Host, e.Backend.Port, b.Host, b.Port)
		}
	}
	return ""
}

// sameRule is whether the Envoy route was made from the rule m: by the
// object in its metadata (a VirtualService's), or by its name
// NAMESPACE.NAME.RULE (an HTTPRoute's, as Istio's Gateway API
// translation names them).
func sameRule(m *route.ExplainRoute, r *envoy.Route) bool {
	if m.Kind == "HTTPRoute" {
		return r.Origin.Match == fmt.Sprintf("%s.%s.%d", m.Namespace, m.Name, m.Rule)
	}
	return r.Origin.Kind == m.Kind && r.Origin.Namespace == m.Namespace && r.Origin.Name == m.Name
}

func describe(r *envoy.Route) string {
	if r.Origin.Name != "" {
		return fmt.Sprintf("%q (%s %s/%s)", r.Origin.Match, r.Origin.Kind, r.Origin.Namespace, r.Origin.Name)
	}
	return fmt.Sprintf("%q", r.Origin.Match)
}
