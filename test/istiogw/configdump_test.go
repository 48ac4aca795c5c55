package main

import (
	"encoding/json"
	"testing"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
)

// TestConfigDumpShape: the dump has Envoy's admin types and field names.
func TestConfigDumpShape(t *testing.T) {
	v := &View{
		Listeners: map[uint32]*listener.Listener{8080: {Name: "0.0.0.0_8080"}},
		Routes: map[string]*route.RouteConfiguration{"http.8080": {Name: "http.8080", VirtualHosts: []*route.VirtualHost{{
			Name: "a:80", Domains: []string{"a"}, Routes: []*route.Route{{Name: "r",
				Match:  &route.RouteMatch{PathSpecifier: &route.RouteMatch_Prefix{Prefix: "/"}},
				Action: &route.Route_Route{Route: &route.RouteAction{ClusterSpecifier: &route.RouteAction_Cluster{Cluster: "outbound|80||a.default.svc.cluster.local"}}}}}}}}},
	}
	b, err := configDump(v)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Configs []map[string]any `json:"configs"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Configs) != 2 || d.Configs[0]["@type"] != "type.googleapis.com/envoy.admin.v3.ListenersConfigDump" ||
		d.Configs[1]["@type"] != "type.googleapis.com/envoy.admin.v3.RoutesConfigDump" {
		t.Fatalf("configs: %s", b)
	}
	rcs := d.Configs[1]["dynamic_route_configs"].([]any)
	rc := rcs[0].(map[string]any)["route_config"].(map[string]any)
	if rc["name"] != "http.8080" || rc["virtual_hosts"] == nil {
		t.Fatalf("route config: %v", rc)
	}
}
