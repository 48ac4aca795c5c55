package testenv

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Request is what reached a Service's pods (the Upstream stand-in) of one
// request, with what the Istio-driven gateway decided for it.
type Request struct {
	Method string      `json:"method"`
	Host   string      `json:"host"`
	Path   string      `json:"path"` // after the gateway's rewrites
	Query  string      `json:"query"`
	Header http.Header `json:"header"`
	TLS    bool        `json:"tls"` // the client spoke TLS to the gateway
	SNI    string      `json:"sni,omitempty"`
	// Cluster is the Envoy cluster Istio chose
	// (outbound|80||flaskapp.default.svc.cluster.local); Route, VirtualHost
	// and OriginalPath (x-envoy-original-path, set when the path was
	// rewritten) say how.
	Cluster      string `json:"cluster,omitempty"`
	Route        string `json:"route,omitempty"`
	VirtualHost  string `json:"virtualHost,omitempty"`
	OriginalPath string `json:"originalPath,omitempty"`
	// Via is the gateway address the client reached (a port-forward
	// target, a NodePort, a load balancer).
	Via string `json:"via,omitempty"`
}

// Service is the Service host of the cluster (flaskapp.default.svc.cluster.local).
func (r Request) Service() string {
	parts := strings.Split(r.Cluster, "|")
	if len(parts) != 4 {
		return ""
	}
	return parts[3]
}

// ServicePort is the Service port of the cluster (80).
func (r Request) ServicePort() string {
	parts := strings.Split(r.Cluster, "|")
	if len(parts) != 4 {
		return ""
	}
	return parts[1]
}

// Recorder is a local HTTP(S) server standing in for the pods of every
// Service behind the gateway. It answers every request with the JSON of the
// Request it saw and keeps them for assertions. Handler, when set, answers
// instead (after recording).
type Recorder struct {
	Server  *httptest.Server
	mu      sync.Mutex
	reqs    []Request
	quiet   bool // SetRecording(false)
	Handler http.Handler
	status  map[string]int // AnswerStatus
}

// NewRecorder starts a recorder on 127.0.0.1 (TLS with httptest's
// self-signed certificate when tls is true); it is closed with the test.
func NewRecorder(t TB, tls bool) *Recorder {
	return NewRecorderOn(t, "", tls)
}

// NewRecorderOn is NewRecorder listening on addr (127.0.0.1:0 when empty).
func NewRecorderOn(t TB, addr string, tls bool) *Recorder {
	t.Helper()
	r := &Recorder{}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("stand-in gateway cannot listen on %s: %v", addr, err)
		}
		r.Server.Listener.Close()
		r.Server.Listener = l
	}
	if tls {
		r.Server.StartTLS()
	} else {
		r.Server.Start()
	}
	t.Cleanup(r.Server.Close)
	return r
}

// RequestOf is what the recorder records of req: its Host and path after
// the gateway, and what Istio decided (the X-Istiogw-* headers), without
// the headers.
func RequestOf(req *http.Request) Request {
	rec := Request{Method: req.Method, Host: req.Host, Path: req.URL.Path, Query: req.URL.RawQuery,
		TLS: req.TLS != nil || req.Header.Get("X-Forwarded-Proto") == "https", SNI: req.Header.Get("X-Istiogw-Sni"),
		Cluster: req.Header.Get("X-Istiogw-Cluster"), Route: req.Header.Get("X-Istiogw-Route"),
		VirtualHost: req.Header.Get("X-Istiogw-Virtual-Host"), OriginalPath: req.Header.Get("X-Envoy-Original-Path"),
		Via: req.Header.Get("X-Istiogw-Via")}
	if req.TLS != nil {
		rec.SNI = req.TLS.ServerName
	}
	return rec
}

func (r *Recorder) serve(w http.ResponseWriter, req *http.Request) {
	rec := RequestOf(req)
	r.mu.Lock()
	if !r.quiet {
		rec.Header = req.Header.Clone()
		r.reqs = append(r.reqs, rec)
	}
	h := r.Handler
	code := r.status[req.URL.Path]
	r.mu.Unlock()
	if h != nil {
		h.ServeHTTP(w, req)
		return
	}
	if rec.Header == nil {
		rec.Header = req.Header
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Stand-In", "upstream")
	w.Header().Set("Server", "stand-in")
	if code != 0 {
		w.WriteHeader(code)
	}
	_ = json.NewEncoder(w).Encode(rec)
}

// AnswerStatus makes the Services' pods answer code to requests for path
// (after the gateway's rewrites), as an application's own 404 or 503
// would: the gateway forwarded it, the application refused it.
func (r *Recorder) AnswerStatus(path string, code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status == nil {
		r.status = map[string]int{}
	}
	r.status[path] = code
}

// SetHandler replaces the default echo answer.
func (r *Recorder) SetHandler(h http.Handler) {
	r.mu.Lock()
	r.Handler = h
	r.mu.Unlock()
}

// SetRecording turns the record of requests on (the default) or off: a
// benchmark sends millions, which would otherwise pile up in memory and
// slow the stand-in down more with every round.
func (r *Recorder) SetRecording(on bool) {
	r.mu.Lock()
	r.quiet = !on
	r.mu.Unlock()
}

// Requests returns a copy of what was received so far.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Port is the local port the recorder listens on.
func (r *Recorder) Port() int {
	u, _ := url.Parse(r.Server.URL)
	p, _ := strconv.Atoi(u.Port())
	return p
}
