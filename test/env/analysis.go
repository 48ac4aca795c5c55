package testenv

import (
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The tool's ownership label (as plugin/route names it).
const managedBy = "kubectl-expose-gw"

// AllowAnalysis lets the running test leave Istio analyzer messages with
// these codes on the tool's objects: a scenario that forces a conflict on
// purpose (--force) says so here.
func (e *Env) AllowAnalysis(codes ...string) {
	e.allowedCodes = append(e.allowedCodes, codes...)
}

// checkAnalysis runs Istio's analyzers (those of `istioctl analyze`) over
// the cluster's objects at the end of the test and fails it for every
// warning or error about an object the tool wrote.
func (e *Env) checkAnalysis() {
	t := e.t
	if e.IstioGateway == nil || t.Failed() {
		return
	}
	msgs, err := e.IstioGateway.analyze()
	if err != nil {
		t.Errorf("istio analyzers: %v", err)
		return
	}
	var bad []string
	for _, m := range msgs {
		if m.Level != "Error" && m.Level != "Warning" || e.allowed(m.Code) || !e.managed(m.Kind, m.Namespace, m.Name) {
			continue
		}
		bad = append(bad, m.Text)
	}
	if len(bad) > 0 {
		t.Errorf("Istio's analyzers report on objects kubectl-expose-gw wrote:\n%s", strings.Join(bad, "\n"))
	}
}

func (e *Env) allowed(code string) bool {
	for _, c := range e.allowedCodes {
		if c == code {
			return true
		}
	}
	return false
}

// managed is true when the object is one the tool wrote.
func (e *Env) managed(kind, ns, name string) bool {
	var labels map[string]string
	ctx := e.Ctx()
	switch kind {
	case "Gateway":
		g, err := e.Istio.NetworkingV1().Gateways(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) || err != nil {
			return false
		}
		labels = g.Labels
	case "VirtualService":
		v, err := e.Istio.NetworkingV1().VirtualServices(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) || err != nil {
			return false
		}
		labels = v.Labels
	default:
		return false
	}
	return labels["app.kubernetes.io/managed-by"] == managedBy
}
