package testenv

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strings"

	"golang.org/x/net/websocket"
)

// Echo is what the browser page's answers carry: the Request the upstream
// saw (Host and path after the gateway, the cluster Istio chose, the
// gateway address reached) and, for the WebSocket, the message it answers.
type Echo struct {
	Request
	Header  http.Header `json:"-"` // not echoed
	Message string      `json:"message,omitempty"`
}

// BrowserPage is an Upstream handler (Recorder.SetHandler) for a real
// browser. Every URL in it is relative, so it works only when the
// browser's address stands for the route: any path ending in "/" is the
// page, whose link goes to "link/next", whose script fetches
// "api/echo?from=fetch" and opens a WebSocket to "ws?from=websocket" and
// sends it a message. The script writes the answers into <pre
// id="fetch-result"> and <pre id="ws-result">, created once they arrive
// ("error: ..." when they fail). A path ending in "/echo" answers the JSON
// of its Echo, one ending in "/ws" is the WebSocket (each message is
// answered with the Echo of its handshake request), any other path is a
// page with its Echo in <pre id="echo">: a relative URL resolved wrongly
// still answers, and the Echo shows where it went.
func BrowserPage() http.Handler {
	ws := websocket.Handler(func(c *websocket.Conn) {
		seen := RequestOf(c.Request())
		var msg string
		for websocket.Message.Receive(c, &msg) == nil {
			b, _ := json.Marshal(Echo{Request: seen, Message: msg})
			if websocket.Message.Send(c, string(b)) != nil {
				return
			}
		}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		echo, _ := json.Marshal(Echo{Request: RequestOf(r)})
		switch {
		case strings.HasSuffix(p, "/ws"):
			ws.ServeHTTP(w, r)
		case strings.HasSuffix(p, "/echo"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(echo)
		case strings.HasSuffix(p, "/"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = pageHTML.Execute(w, string(echo))
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = echoHTML.Execute(w, string(echo))
		}
	})
}

var pageHTML = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>expose-gw browser test</title></head>
<body>
<pre id="page-result">{{.}}</pre>
<a id="link" href="link/next?from=link">next page</a>
<script>
"use strict";
function show(id, text) {
  if (document.getElementById(id)) return; // the first answer counts
  const el = document.createElement("pre");
  el.id = id;
  el.textContent = text;
  document.body.appendChild(el);
}
fetch("api/echo?from=fetch")
  .then(r => r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status)))
  .then(t => show("fetch-result", t), e => show("fetch-result", "error: " + e));
const u = new URL("ws?from=websocket", location.href);
u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
const ws = new WebSocket(u.href);
ws.onopen = () => ws.send("hello from the page");
ws.onmessage = e => { show("ws-result", e.data); ws.close(); };
ws.onerror = () => show("ws-result", "error: the WebSocket to " + u.href + " failed");
</script>
</body></html>
`))

var echoHTML = template.Must(template.New("echo").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>expose-gw browser test: echo</title></head>
<body><pre id="echo">{{.}}</pre></body></html>
`))
