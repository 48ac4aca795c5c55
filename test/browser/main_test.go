// Package browser drives a real browser, Debian's chromium headless
// through chromedp, through `kubectl expose-gw proxy` to the Istio-driven
// test gateway: the page the gateway side serves has a relative link, a
// fetch() and a WebSocket, and each must arrive upstream with the route's
// Host, under the route's path, at the exposed Service's cluster. `make
// browser` (a prerequisite of `make test`) installs chromium when it is not
// on PATH.
package browser

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// chromiumPath is the chromium the tests run.
var chromiumPath string

func TestMain(m *testing.M) {
	p, err := exec.LookPath("chromium")
	if err != nil {
		fmt.Fprintln(os.Stderr, "the browser tests need Debian's chromium on PATH: run `make browser` (apt-get install -y chromium)")
		os.Exit(1)
	}
	chromiumPath = p
	os.Exit(m.Run())
}
