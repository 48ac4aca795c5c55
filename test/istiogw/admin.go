package main

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"
)

// SyncResult is what /sync answers.
type SyncResult struct {
	Build     int64               `json:"build"`
	BuiltAt   time.Time           `json:"builtAt"`
	BuildTook string              `json:"buildTook"`
	Errors    []string            `json:"errors,omitempty"`
	Open      map[string]bool     `json:"open"`      // mapping address -> listening
	Listeners map[string][]uint32 `json:"listeners"` // mapping key (NAMESPACE or NAMESPACE/GATEWAY) -> Envoy ports
}

func (g *Gateway) admin() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sync", func(w http.ResponseWriter, r *http.Request) {
		st, err := g.Sync(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		res := SyncResult{Build: g.builds.Load(), BuiltAt: st.built, BuildTook: st.took.String(), Errors: st.errors,
			Open: map[string]bool{}, Listeners: map[string][]uint32{}}
		for _, m := range g.snapshotMappings() {
			res.Open[m.Addr] = m.open.Load()
		}
		for ns, v := range st.views {
			for p := range v.Listeners {
				res.Listeners[ns] = append(res.Listeners[ns], p)
			}
			sort.Slice(res.Listeners[ns], func(i, j int) bool { return res.Listeners[ns][i] < res.Listeners[ns][j] })
		}
		writeJSON(w, res)
	})
	mux.HandleFunc("POST /listen", func(w http.ResponseWriter, r *http.Request) {
		m, err := parseMapping(r.FormValue("mapping"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		g.AddMapping(m)
		writeJSON(w, map[string]bool{"open": m.open.Load()})
	})
	mux.HandleFunc("POST /unlisten", func(w http.ResponseWriter, r *http.Request) {
		if !g.RemoveMapping(r.FormValue("addr")) {
			http.Error(w, "no mapping at "+r.FormValue("addr"), http.StatusNotFound)
			return
		}
		writeJSON(w, map[string]bool{"open": false})
	})
	// delay sets how long a change of the cluster takes to reach the
	// gateway (istiod's push delay), d=DURATION; 0 ends it.
	mux.HandleFunc("POST /delay", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.FormValue("d"))
		if err != nil || d < 0 {
			http.Error(w, "d: want a duration of 0 or more", http.StatusBadRequest)
			return
		}
		g.delay.Store(int64(d))
		writeJSON(w, map[string]string{"delay": d.String()})
	})
	mux.HandleFunc("GET /analyze", func(w http.ResponseWriter, r *http.Request) {
		st, err := g.Sync(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		msgs, err := analyze(st.snap, g.kinds)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, msgs)
	})
	// The statuses Istio's Gateway API controller computed in the build
	// now served, which istiod would write to the objects.
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		st, err := g.Sync(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, append([]Status{}, st.status...))
	})
	mux.HandleFunc("GET /routes", func(w http.ResponseWriter, r *http.Request) {
		st, err := g.Sync(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, dump(st))
	})
	return mux
}

// dump is a readable summary of each view: route configurations with their
// virtual hosts, domains and routes.
func dump(st *state) map[string]any {
	out := map[string]any{}
	for ns, v := range st.views {
		rcs := map[string]any{}
		for name, rc := range v.Routes {
			var vhs []map[string]any
			for _, vh := range rc.GetVirtualHosts() {
				var routes []string
				for _, r := range vh.GetRoutes() {
					routes = append(routes, r.GetName()+" "+r.GetMatch().String())
				}
				vhs = append(vhs, map[string]any{"name": vh.GetName(), "domains": vh.GetDomains(), "routes": routes})
			}
			rcs[name] = vhs
		}
		var ls []string
		for _, l := range v.Listeners {
			ls = append(ls, l.GetName())
		}
		sort.Strings(ls)
		out[ns] = map[string]any{"listeners": ls, "routes": rcs}
	}
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
