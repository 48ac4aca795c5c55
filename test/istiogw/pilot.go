package main

import (
	"fmt"
	"sort"
	"strings"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
	istiocluster "istio.io/istio/pkg/cluster"
	"istio.io/istio/pkg/config/constants"
)

// Proxy is one gateway workload as Istio sees it: its namespace and the
// labels of its pods.
type Proxy struct {
	Namespace string
	Labels    map[string]string
}

func (p Proxy) key() string {
	keys := make([]string, 0, len(p.Labels))
	for k, v := range p.Labels {
		keys = append(keys, k+"="+v)
	}
	sort.Strings(keys)
	return p.Namespace + "/" + strings.Join(keys, ",")
}

// View is what Istio's control plane sends one gateway proxy: its
// listeners by the port Envoy binds in the pod, its route configurations by
// name, the names of its clusters and, for each EDS cluster, how many
// endpoints EDS gives it that Envoy may send to (Istio computes them from
// the Services' EndpointSlices).
type View struct {
	Proxy     Proxy
	Listeners map[uint32]*listener.Listener
	Routes    map[string]*route.RouteConfiguration
	Clusters  map[string]bool
	Endpoints map[string]int
}

// clusterDomain is the cluster's DNS domain, as istiod is told it.
const clusterDomain = "cluster.local"

// computeViews runs Istio's config generation (pilot, in-process, as its
// own tests do) over the cluster's objects and returns each proxy's view
// and the status Istio's Gateway API controller computed. crds are the
// annotations of the cluster's Gateway API CRDs.
func computeViews(configYAML, kubeYAML string, crds map[string]map[string]string, proxies []Proxy) (views map[string]*View, statuses []Status, err error) {
	defer catch(&err)
	f := &failer{}
	defer f.close()
	stop := make(chan struct{})
	defer close(stop)
	configs, _, err := crd.ParseInputs(configYAML)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the Istio objects: %w", err)
	}
	for i := range configs {
		// As istiod's CRD client reads them: short destination names
		// ("flaskapp") become NAME.NAMESPACE.svc.cluster.local only with
		// the cluster's domain (model.ResolveShortnameToFQDN).
		configs[i].Domain = clusterDomain
	}
	s := xds.NewFakeDiscoveryServer(f, xds.FakeOptions{
		Configs:                configs,
		KubernetesObjectString: kubeYAML,
		KubeClientModifier:     clusterCRDs(crds),
	})
	if statuses, err = captureStatus(s.Env().GatewayAPIController, stop); err != nil {
		return nil, nil, err
	}
	views = map[string]*View{}
	for _, p := range proxies {
		proxy := s.SetupProxy(&model.Proxy{
			Type:            model.Router,
			ID:              "istiogw." + p.Namespace + "." + p.Labels["gateway.networking.k8s.io/gateway-name"],
			ConfigNamespace: p.Namespace,
			Labels:          p.Labels,
			IPAddresses:     []string{"10.244.255.254"},
			Metadata: &model.NodeMetadata{
				Namespace: p.Namespace,
				Labels:    p.Labels,
				ClusterID: istiocluster.ID(constants.DefaultClusterName),
			},
		})
		ls := s.Listeners(proxy)
		v := &View{Proxy: p, Listeners: map[uint32]*listener.Listener{}, Routes: map[string]*route.RouteConfiguration{},
			Clusters: map[string]bool{}, Endpoints: map[string]int{}}
		for _, l := range ls {
			if port := l.GetAddress().GetSocketAddress().GetPortValue(); port != 0 {
				v.Listeners[port] = l
			}
		}
		for _, rc := range s.RoutesFromListeners(proxy, ls) {
			v.Routes[rc.Name] = rc
		}
		for _, c := range s.Clusters(proxy) {
			v.Clusters[clusterName(c)] = true
		}
		for _, cla := range s.Endpoints(proxy) {
			v.Endpoints[cla.GetClusterName()] = healthy(cla)
		}
		views[p.key()] = v
	}
	return views, statuses, nil
}

func clusterName(c *cluster.Cluster) string { return c.GetName() }

// healthy counts the endpoints Envoy may pick: health status unknown
// (what EDS gives a Ready endpoint without health checks) or healthy.
func healthy(cla *endpoint.ClusterLoadAssignment) int {
	n := 0
	for _, l := range cla.GetEndpoints() {
		for _, e := range l.GetLbEndpoints() {
			switch e.GetHealthStatus() {
			case core.HealthStatus_UNKNOWN, core.HealthStatus_HEALTHY:
				n++
			}
		}
	}
	return n
}
