package proxy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/rest"
	clientpf "k8s.io/client-go/tools/portforward"

	"github.com/expose-gw/kubectl-expose-gw/plugin/kube"
	"github.com/expose-gw/kubectl-expose-gw/portforward"
	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// recordRelay relays TCP to the apiserver on 127.0.0.1 and counts the TLS
// records the client sends (each Write on a TLS connection is one record
// or more): what the port-forward tunnel costs the apiserver per message.
type recordRelay struct {
	addr    string
	records atomic.Int64
}

func startRecordRelay(t *testing.T, target string) *recordRelay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	r := &recordRelay{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go r.relay(c, target)
		}
	}()
	return r
}

func (r *recordRelay) relay(c net.Conn, target string) {
	defer c.Close()
	up, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer up.Close()
	go func() { _, _ = io.Copy(c, up); c.Close() }()
	br := bufio.NewReader(c)
	hdr := make([]byte, 5)
	for {
		if _, err := io.ReadFull(br, hdr); err != nil {
			return
		}
		r.records.Add(1)
		body := make([]byte, binary.BigEndian.Uint16(hdr[3:5]))
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		if _, err := up.Write(append(hdr, body...)); err != nil {
			return
		}
	}
}

// roundTrips sends n requests over one data stream of conn to port, in
// sequence on one kept-alive gateway connection, and returns the answers.
func roundTrips(t *testing.T, conn httpstream.Connection, port, host string, n int) []string {
	t.Helper()
	h := http.Header{}
	h.Set(corev1.StreamType, corev1.StreamTypeError)
	h.Set(corev1.PortHeader, port)
	h.Set(corev1.PortForwardRequestIDHeader, "0")
	errStream, err := conn.CreateStream(h)
	require.NoError(t, err)
	require.NoError(t, errStream.Close()) // the client writes nothing on it
	h.Set(corev1.StreamType, corev1.StreamTypeData)
	data, err := conn.CreateStream(h)
	require.NoError(t, err)
	defer data.Reset()
	br := bufio.NewReader(data)
	var answers []string
	for i := range n {
		_, err := fmt.Fprintf(data, "GET /env/version?i=%d HTTP/1.1\r\nHost: %s\r\n\r\n", i, host)
		require.NoError(t, err)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		answers = append(answers, fmt.Sprintf("%d %s", resp.StatusCode, b))
	}
	return answers
}

// TestTunnelIsClientGos: the proxy's port-forward dialer (client-go's
// SPDY-over-WebSocket dialer writing whole SPDY frames) against client-go's
// own, through a real apiserver and kwok to the Istio-driven gateway: the
// same answers, and fewer TLS records to the apiserver (one WebSocket
// message per frame, where client-go sends one per piece of a frame).
func TestTunnelIsClientGos(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	env.SeedWorld(testenv.WorldOptions{Apps: []testenv.App{{Name: "flaskapp"}}})
	exposeRoute(t, env, "flaskapp", []string{"flask.example.com"}, "/env")
	env.Upstream.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "host=%s uri=%s", r.Host, r.RequestURI)
	}))
	defer env.Upstream.SetHandler(nil)

	api, err := url.Parse(env.Config.Host)
	require.NoError(t, err)
	relay := startRecordRelay(t, api.Host)
	cfg := rest.CopyConfig(env.Config)
	cfg.Host = "https://" + relay.addr
	cs, err := kube.NewForConfig(cfg)
	require.NoError(t, err)
	const ns, pod, port, n = "istio-system", "istio-ingressgateway-0", "8080", 20

	dial := map[string]func() (httpstream.Connection, error){
		"ours": func() (httpstream.Connection, error) { return portforward.NewConnect(cfg, cs.Kube)(ns, pod) },
		"client-go": func() (httpstream.Connection, error) {
			u := cs.Kube.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(pod).SubResource("portforward").URL()
			d, err := clientpf.NewSPDYOverWebsocketDialer(u, cfg)
			if err != nil {
				return nil, err
			}
			c, _, err := d.Dial(clientpf.PortForwardProtocolV1Name)
			return c, err
		},
	}
	answers := map[string][]string{}
	records := map[string]int64{}
	for _, name := range []string{"client-go", "ours"} {
		conn, err := dial[name]()
		require.NoError(t, err, name)
		before := relay.records.Load()
		answers[name] = roundTrips(t, conn, port, "flask.example.com", n)
		records[name] = relay.records.Load() - before
		require.NoError(t, conn.Close())
		t.Logf("%s: %d TLS records to the apiserver for %d requests on one stream (and its two stream openings)", name, records[name], n)
	}
	require.Len(t, answers["ours"], n)
	assert.Equal(t, answers["client-go"], answers["ours"])
	assert.True(t, strings.HasPrefix(answers["ours"][3], "200 host=flask.example.com uri=/env/version?i=3"), answers["ours"][3])
	assert.Less(t, records["ours"]*2, records["client-go"], "at least halves the records")
}
