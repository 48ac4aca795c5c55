package gwapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

func TestExposeTLSAndRedirect(t *testing.T) {
	e := expose()
	e.Hosts = []string{"flask.example.com"}
	e.TLSSecret = "flask-cert"
	e.HTTPSRedirect = true
	p := must(t, e)
	require.Len(t, p.Changes, 3)
	g := p.Changes[0].Object.(*gwv1.Gateway)
	require.Len(t, g.Spec.Listeners, 2)
	https := g.Spec.Listeners[1]
	assert.Equal(t, gwv1.SectionName("https"), https.Name)
	assert.Equal(t, gwv1.PortNumber(443), https.Port)
	assert.Equal(t, gwv1.HTTPSProtocolType, https.Protocol)
	assert.Equal(t, gwv1.Hostname("flask.example.com"), *https.Hostname)
	assert.Equal(t, gwv1.TLSModeTerminate, *https.TLS.Mode)
	assert.Equal(t, gwv1.ObjectName("flask-cert"), https.TLS.CertificateRefs[0].Name)

	main := p.Changes[1].Object.(*gwv1.HTTPRoute)
	assert.Equal(t, "https", string(*main.Spec.ParentRefs[0].SectionName))
	assert.Len(t, main.Spec.ParentRefs, 1, "the backend route is on HTTPS only")
	red := p.Changes[2].Object.(*gwv1.HTTPRoute)
	assert.Equal(t, main.Name+"-redirect", red.Name)
	assert.Equal(t, "http", string(*red.Spec.ParentRefs[0].SectionName))
	f := red.Spec.Rules[0].Filters[0]
	assert.Equal(t, gwv1.HTTPRouteFilterRequestRedirect, f.Type)
	assert.Equal(t, "https", *f.RequestRedirect.Scheme)
	assert.Empty(t, red.Spec.Rules[0].BackendRefs)

	// Another host with another certificate gets its own listener.
	st := applied(State{}, p)
	e2 := expose()
	e2.Target.Service = "web"
	e2.Hosts = []string{"web.example.com"}
	e2.TLSSecret = "web-cert"
	g2 := must2(t, e2, st).Changes[0].Object.(*gwv1.Gateway)
	require.Len(t, g2.Spec.Listeners, 3)
	assert.Equal(t, gwv1.SectionName("https-web.example.com"), g2.Spec.Listeners[2].Name)

	// The same host with another certificate is refused.
	e3 := expose()
	e3.Target.Service = "web"
	e3.Hosts = []string{"flask.example.com"}
	e3.TLSSecret = "web-cert"
	_, err := PlanExpose(e3, st)
	var oc *OtherCertificateError
	require.ErrorAs(t, err, &oc)
}
