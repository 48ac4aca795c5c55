package browser

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// The route under test: Service shop at host/prefix; Service home takes
// the rest of the host, so a relative URL the browser resolves outside
// the prefix lands on home's cluster and the assertions show it.
const (
	host        = "shop.example.com"
	prefix      = "/shop"
	shopCluster = "outbound|80||shop.default.svc.cluster.local"
)

// TestBrowserThroughProxy opens the page of testenv.BrowserPage in
// chromium at `kubectl expose-gw proxy shop`'s address, --via direct (a
// NodePort on 127.0.0.1 where the Istio-driven gateway listens) and --via
// port-forward (kwok's port-forward to the gateway pod), and reads from
// the DOM what reached upstream of the page, its fetch(), its WebSocket
// and its relative link: the route's Host (not the browser's
// 127.0.0.1:PORT), the path under the route's prefix, shop's cluster as
// Istio chose it, through the gateway address of the mode.
func TestBrowserThroughProxy(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	nodePort := testenv.FreeNodePort(t)
	onNode := "127.0.0.1:" + strconv.Itoa(nodePort)
	env.IstioGateway.Listen(onNode, testenv.IstioNamespace, 8080)
	env.SeedWorld(testenv.WorldOptions{HTTPNodePort: int32(nodePort), Apps: []testenv.App{{Name: "shop"}, {Name: "home"}}})
	for _, args := range [][]string{
		{"home", "--host", host, "--prefix", "/"},
		{"shop", "--host", host, "--prefix", prefix},
	} {
		r := env.Kubectl(append([]string{"expose-gw"}, args...)...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
	}
	env.Upstream.SetHandler(testenv.BrowserPage())
	browser := newBrowser(t)

	for _, tt := range []struct {
		via     string
		gateway string // the gateway address the requests must come through
	}{
		{"direct", onNode},
		{"port-forward", env.IstioGateway.PortAddr(testenv.IstioNamespace, 8080)},
	} {
		t.Run("--via "+tt.via, func(t *testing.T) {
			base := testenv.StartProxy(t, env, "shop", "--via", tt.via).URL
			ctx, cancel := context.WithTimeout(newTab(t, browser), 2*time.Minute)
			defer cancel()
			// Each answer is read from the DOM once it is there; the page
			// writes "error: ..." when a request fails.
			read := func(id string) string {
				t.Helper()
				text, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.ID(id)))
				require.NoError(t, err, "reading #%s of the page in chromium", id)
				t.Logf("#%s: %s", id, text)
				return text
			}
			pageURL := base + prefix + "/"
			resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(pageURL))
			require.NoError(t, err, "chromium loading %s", pageURL)
			if resp.Status != 200 {
				body, _ := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("body")))
				t.Fatalf("chromium loading %s: %d %s: %s", pageURL, resp.Status, resp.StatusText, body)
			}
			page, fetched, socket := read("page-result"), read("fetch-result"), read("ws-result")
			require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("link"))), "clicking the page's link")
			linked := read("echo")
			location, err := chromedp.Run(ctx, chromedp.Location())
			require.NoError(t, err)

			check := func(what, text, wantPath, wantQuery string) testenv.Echo {
				t.Helper()
				var seen testenv.Echo
				if !assert.NoError(t, json.Unmarshal([]byte(text), &seen), "%s: the page shows %q", what, text) {
					return seen
				}
				assert.Equal(t, host, seen.Host, "%s: the Host upstream must be the route's, not the browser's %s", what, base)
				assert.Equal(t, wantPath, seen.Path, "%s: the path upstream", what)
				assert.Equal(t, wantQuery, seen.Query, "%s: the query upstream", what)
				assert.Equal(t, shopCluster, seen.Cluster, "%s: the cluster Istio chose", what)
				assert.Equal(t, tt.gateway, seen.Via, "%s: the gateway address reached --via %s", what, tt.via)
				return seen
			}
			check("the page", page, prefix+"/", "")
			check("fetch()", fetched, prefix+"/api/echo", "from=fetch")
			ws := check("the WebSocket", socket, prefix+"/ws", "from=websocket")
			assert.Equal(t, "hello from the page", ws.Message, "the WebSocket's answer to the page's message")
			check("the relative link", linked, prefix+"/link/next", "from=link")
			assert.Equal(t, base+prefix+"/link/next?from=link", location, "the browser stays on the proxy's address")
		})
	}
}
