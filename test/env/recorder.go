package testenv

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
)

// Request is what the stand-in gateway saw of one request.
type Request struct {
	Method string      `json:"method"`
	Host   string      `json:"host"`
	Path   string      `json:"path"`
	Query  string      `json:"query"`
	Header http.Header `json:"header"`
	TLS    bool        `json:"tls"`
	SNI    string      `json:"sni,omitempty"`
}

// Recorder is a local HTTP(S) server standing in for the ingress gateway's
// Envoy. It answers every request with the JSON of the Request it saw and
// keeps them for assertions. Handler, when set, answers instead (after
// recording).
type Recorder struct {
	Server  *httptest.Server
	mu      sync.Mutex
	reqs    []Request
	quiet   bool // SetRecording(false)
	Handler http.Handler
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

func (r *Recorder) serve(w http.ResponseWriter, req *http.Request) {
	rec := Request{Method: req.Method, Host: req.Host, Path: req.URL.Path, Query: req.URL.RawQuery, TLS: req.TLS != nil}
	if req.TLS != nil {
		rec.SNI = req.TLS.ServerName
	}
	r.mu.Lock()
	if !r.quiet {
		rec.Header = req.Header.Clone()
		r.reqs = append(r.reqs, rec)
	}
	h := r.Handler
	r.mu.Unlock()
	if h != nil {
		h.ServeHTTP(w, req)
		return
	}
	if rec.Header == nil {
		rec.Header = req.Header
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Stand-In", "istio-ingressgateway")
	_ = json.NewEncoder(w).Encode(rec)
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
