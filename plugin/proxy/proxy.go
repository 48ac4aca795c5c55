package proxy

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/expose-gw/kubectl-expose-gw/plugin/apis"
	"github.com/expose-gw/kubectl-expose-gw/plugin/cli"
	"github.com/expose-gw/kubectl-expose-gw/plugin/dial"
	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/portforward"
)

// ProxyOptions holds the flags and resolved state of `proxy`.
type ProxyOptions struct {
	Flags *kube.ConfigFlags

	Service string // SERVICE argument, may be empty with --host
	Host    string
	// All serves every route host of the namespace (AllNamespaces: of
	// every namespace) at HOST.localhost (--all, -A; and when neither
	// SERVICE nor --host is given).
	All           bool
	AllNamespaces bool
	Address       string
	LocalPort     int
	Via           string
	HTTPS         bool
	// Insecure and CAFile are about the gateway's certificate
	// (--gateway-insecure-skip-tls-verify, --gateway-ca-file); kubectl's
	// --insecure-skip-tls-verify and --certificate-authority stay the API
	// server's, in Flags.
	Insecure bool
	CAFile   string
	// oldCAFile is the deprecated --ca-file.
	oldCAFile string
	// Tunnels is how many port-forward connections requests are spread over.
	Tunnels int
	// GatewaySelector picks the gateway pods (default: the selector of the
	// route's Gateway, else istio=ingressgateway or the one ingress gateway
	// running).
	GatewaySelector string
	// API is --api; Gateway is --gateway, [NS/]NAME of a Gateway of
	// that API.
	API     string
	Gateway string

	selector   map[string]string
	gatewayRef *route.ObjectRef
	clients    *kube.Clients
	genericiooptions.IOStreams
}

// NewProxyOptions returns the defaults of `proxy`.
func NewProxyOptions(flags *kube.ConfigFlags, streams genericiooptions.IOStreams) *ProxyOptions {
	return &ProxyOptions{Flags: flags, Address: "127.0.0.1", LocalPort: 8080, Via: dial.ViaAuto, Tunnels: 1, API: apis.Auto, IOStreams: streams}
}

// NewCmd returns the `proxy` command.
func NewCmd(flags *kube.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return newProxyCommand(NewProxyOptions(flags, streams))
}

// newProxyCommand is the `proxy` command filling o.
func newProxyCommand(o *ProxyOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proxy [SERVICE | --host HOST | --all [-A]] [--local-port 8080] [--via auto|direct|port-forward] [--https]",
		Short: "Open a local proxy that reaches a Service's routes with the right Host header",
		Long: `Open http://127.0.0.1:8080 (--address, --local-port) that forwards every request to the
Istio ingress gateway with the Host header the route needs: the route host of SERVICE
(its VirtualServices; --host picks one when there are several), or --host. A "*" route
keeps the client's Host.

With --all (or without SERVICE and --host), one port serves every route host of the
namespace (-A: of every namespace), each at http://HOST.localhost:PORT: browsers resolve
*.localhost to this machine (RFC 6761), and the proxy sends Host HOST (and SNI HOST to an
https route). A Location or a Set-Cookie domain naming one of the hosts in an answer is
rewritten to its .localhost name, so redirects and cookies between the hosts stay in the
proxy. A "*" route is served at http://localhost:PORT. It prints the table of local URLs.

The gateway is reached directly at the address ` + "`kubectl expose-gw url`" + ` finds (LoadBalancer or
NodePort), else through a port-forward to a Ready gateway pod (--via auto, the default,
tries direct first). Port-forward mode follows the gateway pods: when the pod goes away,
the next request goes to another Ready pod.

With the Kubernetes Gateway API (--api; auto reads the routes of both APIs to SERVICE,
the Istio API's first), the routes are the HTTPRoutes with a backendRef to SERVICE, the
gateway is reached directly at the Gateway's status.addresses[0] (or its Service's
nodePort while that is pending), else by a port-forward to a Ready pod of the Gateway on
the listener's port. Without SERVICE, --gateway names the Gateway (default: expose-gw
of the namespace, else the only one of class istio).

With --https, the gateway's certificate is verified with the system's CAs, or
--gateway-ca-file, or not at all with --gateway-insecure-skip-tls-verify. kubectl's own
--insecure-skip-tls-verify and --certificate-authority are about the API server, as in
every kubectl command. Deprecated, for one release: --ca-file is --gateway-ca-file; and
--insecure-skip-tls-verify with --https but no --gateway-* TLS flag is still read, as
before, for the gateway only (a warning says so). With any --gateway-* TLS flag (e.g.
--gateway-insecure-skip-tls-verify=false), or without --https, it is the API server's.

Ctrl-C stops it.`,
		Example: `  # Browse flaskapp's routes at http://127.0.0.1:8080
  kubectl expose-gw proxy flaskapp

  # Every route host of the namespace at http://HOST.localhost:8080, in a browser
  kubectl expose-gw proxy --all

  # Any free port, always through a port-forward
  kubectl expose-gw proxy flaskapp --local-port 0 --via port-forward

  # A given Host, over TLS to the gateway's https port, its certificate signed by ca.pem
  kubectl expose-gw proxy --host flask.example.com --https --gateway-ca-file ca.pem`,
		Args: cli.ServiceArgs(false),
		RunE: cli.RunE(o),
	}
	f := cmd.Flags()
	f.StringVar(&o.Host, "host", o.Host, "Host header to send (default: the route host of SERVICE)")
	f.BoolVar(&o.All, "all", o.All, "Serve every route host of the namespace, each at http://HOST.localhost:PORT")
	f.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", o.AllNamespaces, "With --all, the route hosts of every namespace")
	f.StringVar(&o.Address, "address", o.Address, "Local address to listen on; anything but loopback exposes the cluster's routes to your network")
	f.IntVar(&o.LocalPort, "local-port", o.LocalPort, "Local port to listen on (0: any free port)")
	f.StringVar(&o.Via, "via", o.Via, "How to reach the gateway: auto (direct, else port-forward), direct or port-forward")
	f.BoolVar(&o.HTTPS, "https", o.HTTPS, "Speak TLS to the gateway's https port, with SNI = the host")
	f.BoolVar(&o.Insecure, flagGatewayInsecure, o.Insecure, "With --https, do not verify the gateway's certificate (--insecure-skip-tls-verify is the API server's)")
	f.StringVar(&o.CAFile, flagGatewayCAFile, o.CAFile, "With --https, PEM file of the CA that signed the gateway's certificate (default: the system's; --certificate-authority is the API server's)")
	f.StringVar(&o.oldCAFile, "ca-file", "", "Deprecated: use --"+flagGatewayCAFile)
	_ = f.MarkHidden("ca-file") // not MarkDeprecated: cobra prints that on stdout; Complete warns on stderr
	_ = cmd.MarkFlagFilename(flagGatewayCAFile, "pem", "crt")
	f.IntVar(&o.Tunnels, "tunnels", o.Tunnels, "Port-forward connections to spread requests over")
	f.StringVar(&o.GatewaySelector, "gateway-selector", o.GatewaySelector, "Labels of the gateway pods to reach, KEY=VALUE[,KEY=VALUE] (default: the route's Gateway selector, else istio=ingressgateway or the one ingress gateway running)")
	apis.AddFlag(cmd, &o.API)
	f.StringVar(&o.Gateway, "gateway", o.Gateway, "The Gateway to reach, [NAMESPACE/]NAME, of the chosen API (default: the route's; Gateway API without SERVICE: expose-gw of the namespace, else the only one of class istio)")
	return cmd
}

// Complete reads the argument and the deprecated TLS flags. The clients
// are built by Run, after Validate.
func (o *ProxyOptions) Complete(cmd *cobra.Command, args []string) error {
	if len(args) == 1 {
		o.Service = args[0]
	}
	if cmd == nil {
		return nil
	}
	return o.completeTLSFlags(cmd.Flags())
}

// Validate checks the flags without touching the cluster.
func (o *ProxyOptions) Validate() error {
	if err := o.validateAll(); err != nil {
		return err
	}
	var err error
	if o.Service, o.selector, err = route.ParseGatewayFlags(o.Service, o.GatewaySelector); err != nil {
		return err
	}
	if o.Host != "" {
		if err := parseProxyHost(o.Host); err != nil {
			return err
		}
	}
	if err := dial.ValidateVia(o.Via); err != nil {
		return err
	}
	if o.LocalPort < 0 || o.LocalPort > 65535 {
		return fmt.Errorf("invalid --local-port %d: expected 0 (any free port) to 65535", o.LocalPort)
	}
	if net.ParseIP(o.Address) == nil && o.Address != "localhost" {
		return fmt.Errorf("invalid --address %q: expected an IP address such as 127.0.0.1", o.Address)
	}
	if o.Tunnels < 1 || o.Tunnels > 64 {
		return fmt.Errorf("invalid --tunnels %d: expected 1 to 64", o.Tunnels)
	}
	if o.gatewayRef, err = apis.ParseTarget(o.API, o.Gateway); err != nil {
		return err
	}
	if err := apis.ValidateIstioFlags(o.API, o.Gateway, o.GatewaySelector, "", ""); err != nil {
		return err
	}
	return o.validateTLSFlags()
}

// Run connects, finds the Host and the gateway, listens, prints where, and
// proxies until ctx ends (Ctrl-C), which is not an error.
func (o *ProxyOptions) Run(ctx context.Context) error {
	if err := kube.Connect(&o.clients, o.Flags, nil); err != nil {
		return err
	}
	if o.All {
		return quietOnInterrupt(ctx, o.runAll(ctx))
	}
	return quietOnInterrupt(ctx, o.run(ctx))
}

func (o *ProxyOptions) run(ctx context.Context) error {
	c := o.clients
	if o.gatewayRef != nil && o.gatewayRef.Namespace == "" {
		o.gatewayRef.Namespace = c.Namespace
	}
	set := apis.New(ctx, c)
	defer set.Close()
	found, kinds, err := o.routes(ctx, set)
	if err != nil {
		return err
	}
	var routes []route.Route
	for _, f := range found {
		routes = append(routes, f.Items...)
	}
	ph, err := chooseHost(o.Service, routes, o.Host, o.HTTPS, kinds)
	if err != nil {
		return err
	}
	if ph.Note != "" {
		fmt.Fprintln(o.ErrOut, ph.Note)
	}
	api := found[0].API // no SERVICE: the one chosen
	if len(ph.Routes) > 0 {
		api = apiOf(found, ph.Routes[0])
	}
	r, err := api.Reach(ctx, ph.Routes, route.ProxyInput{Service: o.Service, HTTPS: o.HTTPS, Selector: o.selector, Gateway: o.gatewayRef, ViaAuto: o.Via == dial.ViaAuto})
	if err != nil {
		return err
	}
	ph.Routes = r.Routes
	cli.Say(o.ErrOut, r.Notes...)
	gw, err := o.reach(ctx, r, o.HTTPS)
	if err != nil {
		return err
	}
	defer gw.Close()

	ln, err := o.listen()
	if err != nil {
		return err
	}
	base := "http://" + clickable(ln.Addr())
	target := portforward.Target{Host: ph.Host, HTTPS: o.HTTPS, TLS: gw.tls, Dial: gw.Dial}
	host := ph.Host
	if host == "" {
		host = "the client's, the route accepts any host"
	}
	fmt.Fprintf(o.Out, "Forwarding %s -> %s (Host: %s)\n", base, gw.How, host)
	for _, p := range routePaths(ph.Routes) {
		fmt.Fprintln(o.Out, base+p)
	}
	guard := &portforward.Guard{
		Self:      portforward.SelfNames(ln.Addr()),
		RouteHost: ph.Host,
		CheckHost: loopback(o.Address) && ph.Host != "",
	}
	portforward.TuneGC()
	return portforward.Serve(ctx, ln, target, guard)
}

// validateAll reads --all and -A: neither goes with SERVICE or --host,
// and without any of them the proxy serves every route host.
func (o *ProxyOptions) validateAll() error {
	flag := "--all"
	if o.AllNamespaces {
		flag = "-A (--all-namespaces)"
	}
	switch {
	case (o.All || o.AllNamespaces) && o.Service != "":
		return fmt.Errorf("%s serves every route host: leave out SERVICE %q, or leave out %s to proxy only its routes", flag, o.Service, flag)
	case (o.All || o.AllNamespaces) && o.Host != "":
		return fmt.Errorf("%s serves every route host: leave out --host %q, or leave out %s to proxy only that host", flag, o.Host, flag)
	case o.Service == "" && o.Host == "":
		o.All = true
	}
	return nil
}

// listen opens --address:--local-port, with a warning when it is not a
// loopback address.
func (o *ProxyOptions) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(o.Address, strconv.Itoa(o.LocalPort)))
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s port %d: %w (choose another --local-port, or 0 for any free port)", o.Address, o.LocalPort, err)
	}
	if !loopback(o.Address) {
		cli.Warnf(o.ErrOut, "listening on %s: anyone who can reach this machine can reach the cluster's routes through it", o.Address)
	}
	return ln, nil
}

// quietOnInterrupt drops the error of a Run that Ctrl-C (SIGINT/SIGTERM)
// cut short, e.g. while the first port-forward tunnel was still opening:
// stopping the proxy is what the user asked for, exit 0.
func quietOnInterrupt(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return nil
	}
	return err
}

// loopback is true for addresses only this machine can reach.
func loopback(addr string) bool {
	if addr == "localhost" {
		return true
	}
	ip := net.ParseIP(addr)
	return ip != nil && ip.IsLoopback()
}
