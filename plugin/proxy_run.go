package plugin

import (
	"context"
	"fmt"
	"net"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/expose-gw/kubectl-expose-gw/plugin/model"
	"github.com/expose-gw/kubectl-expose-gw/portforward"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// Run connects, finds the Host and the gateway, listens, prints where, and
// proxies until ctx ends (Ctrl-C), which is not an error.
func (o *ProxyOptions) Run(ctx context.Context) error {
	if err := connect(&o.clients, o.Flags, nil); err != nil {
		return err
	}
	return quietOnInterrupt(ctx, o.run(ctx))
}

func (o *ProxyOptions) run(ctx context.Context) error {
	c := o.clients
	var routes []model.Route
	if o.Service != "" {
		if _, err := getService(ctx, c.Kube, c.Namespace, o.Service, nil); err != nil {
			return err
		}
		var err error
		if routes, err = serviceRoutes(ctx, c.Istio, c.Namespace, o.Service); err != nil {
			return ExplainAPIError(err, "list", virtualServicesResource)
		}
	}
	ph, err := chooseHost(o.Service, routes, o.Host, o.HTTPS)
	if err != nil {
		return err
	}
	if ph.Note != "" {
		fmt.Fprintln(o.ErrOut, ph.Note)
	}
	opts := resolve.Options{}
	var serverPort uint32
	if len(ph.Routes) > 0 {
		opts.Selector, serverPort = ph.Routes[0].Selector, ph.Routes[0].ServerPort
	}
	if o.selector != nil {
		opts.Selector = o.selector
	}
	in, err := resolve.FindIngress(ctx, c.Kube, opts)
	if err != nil {
		return err
	}
	if found := in.Found(); found != "" {
		fmt.Fprintln(o.ErrOut, found)
	}
	if in.Warning != "" {
		fmt.Fprintln(o.ErrOut, "Warning:", in.Warning)
	}
	if in.Reason != "" {
		fmt.Fprintf(o.ErrOut, "gateway Service %s/%s: %s\n", in.Service.Namespace, in.Service.Name, in.Reason)
	}
	port, err := o.gatewayPort(in, serverPort)
	if err != nil {
		return err
	}
	gw, err := o.reachGateway(ctx, in, port)
	if err != nil {
		return err
	}
	defer gw.close()

	ln, err := net.Listen("tcp", net.JoinHostPort(o.Address, strconv.Itoa(o.LocalPort)))
	if err != nil {
		return fmt.Errorf("cannot listen on %s port %d: %w (choose another --local-port, or 0 for any free port)", o.Address, o.LocalPort, err)
	}
	if !loopback(o.Address) {
		fmt.Fprintf(o.ErrOut, "Warning: listening on %s: anyone who can reach this machine can reach the cluster's routes through it\n", o.Address)
	}
	base := "http://" + clickable(ln.Addr())
	target := portforward.Target{Host: ph.Host, HTTPS: o.HTTPS, TLS: gw.tls, Dial: gw.dial}
	host := ph.Host
	if host == "" {
		host = "the client's, the route accepts any host"
	}
	fmt.Fprintf(o.Out, "Forwarding %s -> %s (Host: %s)\n", base, gw.how, host)
	for _, p := range routePaths(ph.Routes) {
		fmt.Fprintln(o.Out, base+p)
	}
	guard := &portforward.Guard{
		Self:      portforward.SelfNames(ln.Addr()),
		RouteHost: ph.Host,
		CheckHost: loopback(o.Address) && ph.Host != "",
	}
	return portforward.Serve(ctx, ln, target, guard)
}

// gatewayPort is the gateway Service port of the route's Gateway server,
// else the port of the role (http2/http, or https).
func (o *ProxyOptions) gatewayPort(in *resolve.Ingress, serverPort uint32) (*corev1.ServicePort, error) {
	if serverPort != 0 {
		if p, ok := in.PortForNumber(int32(serverPort)); ok {
			return p, nil
		}
	}
	role := resolve.RoleHTTP
	if o.HTTPS {
		role = resolve.RoleHTTPS
	}
	p, ok := in.Port(role)
	if !ok {
		return nil, fmt.Errorf("gateway Service %s/%s has no %s port (expected a port named %v)",
			in.Service.Namespace, in.Service.Name, role, resolve.PortNames(role))
	}
	return p, nil
}

// clickable is the listener's address as a browser can use it (loopback
// for a wildcard address).
func clickable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}
