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

	"github.com/expose-gw/kubectl-expose-gw/plugin/dial"
	"github.com/expose-gw/kubectl-expose-gw/plugin/envoy"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
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
		l.Route = r.Origin.Route
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
	gw, err := dial.Forward(ctx, dial.Options{Clients: c}, svc.Namespace, labels.SelectorFromSet(svc.Spec.Selector).String(),
		func(*corev1.Pod) (int32, error) { return AdminPort, nil })
	if err != nil {
		return "", nil, fmt.Errorf("--live: the admin port %d of a pod of %s/%s: %w", AdminPort, svc.Namespace, svc.Name, err)
	}
	defer gw.Close()
	tr := &http.Transport{DialContext: gw.Dial}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Timeout: 15 * time.Second, Transport: tr}
	what := fmt.Sprintf("--live: /config_dump of the gateway (%s)", gw.How)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://localhost/config_dump", nil)
	if err != nil {
		return "", nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("%s: %s", what, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", what, err)
	}
	d, err := envoy.ParseDump(b)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", what, err)
	}
	return gw.Pod, d, nil
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
