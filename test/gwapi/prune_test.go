package gwapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestDeleteKeepsTheGatewayOtherRoutesUse: a user's GRPCRoute attached to
// the tool's Gateway (Istio counts it in the listener's attachedRoutes)
// keeps the Gateway when the tool's last HTTPRoute goes, and the warning
// names it; once it is gone, the next delete takes the Gateway.
func TestDeleteKeepsTheGatewayOtherRoutesUse(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.CreateApp(testenv.App{Name: "flaskapp"})
	env.CreateApp(testenv.App{Name: "grpcsvc"})
	ctx := env.Ctx()
	gw := env.GatewayAPI.GatewayV1()
	r := env.Kubectl("expose-gw", "flaskapp", "--prefix", "/env", "--wait=0")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	_, err := gw.GRPCRoutes("default").Create(ctx, &gatewayv1.GRPCRoute{
		ObjectMeta: metav1.ObjectMeta{Name: "user-grpc", Namespace: "default"},
		Spec: gatewayv1.GRPCRouteSpec{
			CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{{Name: "expose-gw"}}},
			Rules: []gatewayv1.GRPCRouteRule{{BackendRefs: []gatewayv1.GRPCBackendRef{{BackendRef: gatewayv1.BackendRef{
				BackendObjectReference: gatewayv1.BackendObjectReference{Name: "grpcsvc", Port: ptr(gatewayv1.PortNumber(80))}}}}}},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	env.IstioGateway.Sync()
	g, err := gw.Gateways("default").Get(ctx, "expose-gw", metav1.GetOptions{})
	require.NoError(t, err)
	require.Len(t, g.Status.Listeners, 1)
	require.Equal(t, int32(2), g.Status.Listeners[0].AttachedRoutes, "Istio counts the HTTPRoute and the GRPCRoute")

	r = env.Kubectl("expose-gw", "delete", "flaskapp")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{"httproute.gateway.networking.k8s.io/flaskapp-any deleted"}, lines(r.Stdout))
	assert.Equal(t, "Warning: Gateway default/expose-gw is kept: GRPCRoute default/user-grpc attached to it; delete it yourself when they are gone\n", r.Stderr)
	_, err = gw.Gateways("default").Get(ctx, "expose-gw", metav1.GetOptions{})
	assert.NoError(t, err, "the Gateway the GRPCRoute uses is kept")

	// The same with the GRPCRoute gone: the HTTPRoute of another
	// expose and its delete take the Gateway with them.
	require.NoError(t, gw.GRPCRoutes("default").Delete(ctx, "user-grpc", metav1.DeleteOptions{}))
	r = env.Kubectl("expose-gw", "flaskapp", "--prefix", "/env", "--wait=0")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	r = env.Kubectl("expose-gw", "delete", "flaskapp")
	require.Equal(t, 0, r.ExitCode, r.Stderr)
	assert.Equal(t, []string{"httproute.gateway.networking.k8s.io/flaskapp-any deleted", "gateway.gateway.networking.k8s.io/expose-gw deleted"}, lines(r.Stdout))
}
