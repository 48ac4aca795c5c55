package browser

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	testenv "github.com/expose-gw/kubectl-expose-gw/test/env"
)

// TestBrowserThroughProxyAll browses two hosts through one `kubectl
// expose-gw proxy --all` in chromium, at shop.example.com.localhost and
// home.example.com.localhost (names chromium resolves to the loopback
// itself): shop's page sets a cookie for its host and links to a redirect
// to http://home.example.com/welcome, whose page links to a redirect to
// https://shop.example.com/cart. Each page must be reached at its own
// .localhost name, be sent upstream with its route host to its own
// Service's cluster as Istio chose it, and the cookie shop set must come
// back to shop after the visit to home.
func TestBrowserThroughProxyAll(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Kwok: true})
	nodePort := testenv.FreeNodePort(t)
	env.IstioGateway.Listen("127.0.0.1:"+strconv.Itoa(nodePort), testenv.IstioNamespace, 8080)
	env.SeedWorld(testenv.WorldOptions{HTTPNodePort: int32(nodePort), Apps: []testenv.App{{Name: "shop"}, {Name: "home"}}})
	for _, args := range [][]string{
		{"shop", "--host", shopHost, "--prefix", "/"},
		{"home", "--host", homeHost, "--prefix", "/"},
	} {
		r := env.Kubectl(append([]string{"expose-gw"}, args...)...)
		require.Equal(t, 0, r.ExitCode, r.Stderr)
	}
	env.Upstream.SetHandler(sitesPage())
	p := testenv.StartProxy(t, env, "--all")
	_, port, err := net.SplitHostPort(p.Addr)
	require.NoError(t, err)
	local := func(host, path string) string { return "http://" + host + ".localhost:" + port + path }
	table := strings.Join(p.StdoutAfter(3), "\n")
	assert.Contains(t, table, local(shopHost, "/"), "the table of local URLs")
	assert.Contains(t, table, local(homeHost, "/"), "the table of local URLs")

	ctx, cancel := context.WithTimeout(newTab(t, newBrowser(t)), 2*time.Minute)
	defer cancel()
	// at waits until chromium is at url, then reads the page's #seen.
	at := func(url string) seen {
		t.Helper()
		var loc string
		for deadline := time.Now().Add(30 * time.Second); loc != url; time.Sleep(100 * time.Millisecond) {
			loc, err = chromedp.Run(ctx, chromedp.Location())
			require.NoError(t, err)
			if time.Now().After(deadline) {
				body, _ := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("body")))
				t.Fatalf("chromium is at %s, expected %s; the page: %s", loc, url, body)
			}
		}
		text, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.ID("seen")))
		require.NoError(t, err, "reading #seen of %s", url)
		t.Logf("%s: %s", url, text)
		var s seen
		require.NoError(t, json.Unmarshal([]byte(text), &s), "the page shows %q", text)
		return s
	}
	cluster := func(svc string) string { return "outbound|80||" + svc + ".default.svc.cluster.local" }

	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(local(shopHost, "/")))
	require.NoError(t, err)
	require.Equal(t, int64(200), resp.Status, "chromium loading %s", local(shopHost, "/"))
	shop := at(local(shopHost, "/"))
	assert.Equal(t, seen{Host: shopHost, Path: "/", Cluster: cluster("shop")}, shop, "shop's page, first visit: no cookie yet")

	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("next"))), "clicking shop's link")
	home := at(local(homeHost, "/welcome"))
	assert.Equal(t, seen{Host: homeHost, Path: "/welcome", Cluster: cluster("home")}, home,
		"the redirect to http://home.example.com/welcome lands on home's .localhost name; shop's host cookie is not sent to home")

	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("next"))), "clicking home's link")
	cart := at(local(shopHost, "/cart"))
	assert.Equal(t, seen{Host: shopHost, Path: "/cart", Cluster: cluster("shop"), Cookie: "session=from-shop"}, cart,
		"the redirect to https://shop.example.com/cart lands on shop's .localhost name, with the cookie shop set")
}
