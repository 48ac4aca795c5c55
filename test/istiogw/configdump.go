package main

import (
	"net"
	"net/http"
	"sort"
	"time"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// AdminPort is the port of Envoy's admin interface in an Istio gateway pod:
// a mapping of it serves the workload's configuration as
// /config_dump, in Envoy's own JSON.
const AdminPort = 15000

// serveAdmin serves the admin interface of the mapping's workload: GET
// /config_dump is the listeners and route configurations of the view
// now served (a push delay keeps the old one until it ends), as Envoy's
// admin writes them (envoy.admin.v3.ConfigDump, proto field names).
func (m *mapping) serveAdmin(ln net.Listener) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /config_dump", func(w http.ResponseWriter, _ *http.Request) {
		v := m.gw.cur.Load().views[m.key()]
		if v == nil {
			http.Error(w, "no configuration", http.StatusServiceUnavailable)
			return
		}
		b, err := configDump(v)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.gw.mapMu.Lock()
	m.srv = srv
	m.gw.mapMu.Unlock()
	_ = srv.Serve(ln)
}

// configDump is the view as Envoy's /config_dump: a ListenersConfigDump
// of dynamic listeners and a RoutesConfigDump of dynamic route
// configurations, in port and name order.
func configDump(v *View) ([]byte, error) {
	ports := make([]uint32, 0, len(v.Listeners))
	for p := range v.Listeners {
		ports = append(ports, p)
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i] < ports[j] })
	ls := &adminv3.ListenersConfigDump{}
	for _, p := range ports {
		l := v.Listeners[p]
		a, err := anypb.New(l)
		if err != nil {
			return nil, err
		}
		ls.DynamicListeners = append(ls.DynamicListeners, &adminv3.ListenersConfigDump_DynamicListener{
			Name: l.GetName(), ActiveState: &adminv3.ListenersConfigDump_DynamicListenerState{Listener: a}})
	}
	names := make([]string, 0, len(v.Routes))
	for n := range v.Routes {
		names = append(names, n)
	}
	sort.Strings(names)
	rs := &adminv3.RoutesConfigDump{}
	for _, n := range names {
		a, err := anypb.New(v.Routes[n])
		if err != nil {
			return nil, err
		}
		rs.DynamicRouteConfigs = append(rs.DynamicRouteConfigs, &adminv3.RoutesConfigDump_DynamicRouteConfig{RouteConfig: a})
	}
	var configs []*anypb.Any
	for _, msg := range []proto.Message{ls, rs} {
		a, err := anypb.New(msg)
		if err != nil {
			return nil, err
		}
		configs = append(configs, a)
	}
	return protojson.MarshalOptions{UseProtoNames: true, Indent: "  "}.Marshal(&adminv3.ConfigDump{Configs: configs})
}
