package url

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/expose-gw/kubectl-expose-gw/plugin/route"
	"github.com/expose-gw/kubectl-expose-gw/resolve"
)

// printURLs prints the base URLs, or with SERVICE one line per route (with
// the Host header it needs and a ready curl command when its host is not *).
func printURLs(w io.Writer, rep *route.URLReport) error {
	if rep.Service == "" {
		for _, u := range rep.URLs {
			if _, err := fmt.Fprintln(w, u); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range rep.Routes {
		var err error
		if r.HostHeader == "" {
			_, err = fmt.Fprintln(w, r.URL)
		} else {
			_, err = fmt.Fprintf(w, "%s  Host: %s\n  %s\n", r.URL, r.HostHeader, r.Curl)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// envVars are the variables of the Istio docs, in their order; empty values
// are left out.
func envVars(rep *route.URLReport) [][2]string {
	port := func(p int32) string {
		if p == 0 {
			return ""
		}
		return strconv.Itoa(int(p))
	}
	var vars [][2]string
	if rep.Gateway == nil && rep.Ingress != nil {
		// the Istio API's docs name the gateway Service; the Gateway
		// API's read the Gateway
		vars = [][2]string{{"INGRESS_NAME", rep.Ingress.Name}, {"INGRESS_NS", rep.Ingress.Namespace}}
	}
	vars = append(vars, [][2]string{
		{"INGRESS_HOST", rep.Host},
		{"INGRESS_PORT", port(rep.Port)},
		{"SECURE_INGRESS_PORT", port(rep.SecurePort)},
		{"TCP_INGRESS_PORT", port(rep.TCPPort)},
		{"GATEWAY_URL", rep.GatewayURL},
	}...)
	out := vars[:0]
	for _, v := range vars {
		if v[1] != "" {
			out = append(out, v)
		}
	}
	return out
}

// printEnv prints shell export lines.
func printEnv(w io.Writer, rep *route.URLReport) error {
	for _, v := range envVars(rep) {
		if _, err := fmt.Fprintf(w, "export %s=%s\n", v[0], resolve.ShellQuote(v[1])); err != nil {
			return err
		}
	}
	return nil
}

// printJSON prints the whole report as one object.
func printJSON(w io.Writer, rep *route.URLReport) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
