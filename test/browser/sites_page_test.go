package browser

import (
	"encoding/json"
	"html/template"
	"net/http"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// Two sites of one shop, on two hosts, as their applications answer
// behind the gateway (an Upstream handler, by the Host the gateway sent):
//
//   - shop.example.com/      sets the session cookie (Domain=shop.example.com)
//     and links to /go-home;
//   - shop.example.com/go-home redirects to http://home.example.com/welcome;
//   - home.example.com/welcome links to /go-shop;
//   - home.example.com/go-shop redirects to https://shop.example.com/cart
//     (another scheme: the proxy maps both to its own);
//   - shop.example.com/cart shows the Cookie it was sent.
//
// Every page shows in <pre id="seen"> what reached it: the Host, the path,
// the cluster Istio chose, the Cookie header.
const (
	shopHost = "shop.example.com"
	homeHost = "home.example.com"
)

// seen is what a page of sitesPage shows of its request.
type seen struct {
	Host    string `json:"host"`
	Path    string `json:"path"`
	Cluster string `json:"cluster"`
	Cookie  string `json:"cookie"`
}

func sitesPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := testenv.RequestOf(r)
		s, _ := json.Marshal(seen{Host: req.Host, Path: req.Path, Cluster: req.Cluster, Cookie: r.Header.Get("Cookie")})
		page := func(link string) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = sitePageHTML.Execute(w, struct{ Seen, Link string }{string(s), link})
		}
		switch req.Host + req.Path {
		case shopHost + "/":
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "from-shop", Domain: shopHost, Path: "/", SameSite: http.SameSiteLaxMode})
			page("/go-home")
		case shopHost + "/go-home":
			http.Redirect(w, r, "http://"+homeHost+"/welcome", http.StatusFound)
		case homeHost + "/go-shop":
			http.Redirect(w, r, "https://"+shopHost+"/cart", http.StatusFound)
		case homeHost + "/welcome":
			page("/go-shop")
		default:
			page("")
		}
	})
}

var sitePageHTML = template.Must(template.New("site").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>expose-gw sites</title></head>
<body>
<pre id="seen">{{.Seen}}</pre>
{{if .Link}}<a id="next" href="{{.Link}}">next</a>{{end}}
</body></html>
`))
