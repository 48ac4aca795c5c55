package portforward

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
)

// discardLogger silences httputil's own logging: the client gets the reason.
var discardLogger = log.New(io.Discard, "", 0)

// writeBadGateway answers with one line saying what went wrong: 502 when
// the gateway could not be reached or answered wrongly, 504 when it did not
// answer in time, 408 when the client's request body stalled.
func writeBadGateway(w http.ResponseWriter, r *http.Request, err error) {
	if slow, ok := stalledBody(r); ok {
		err = slow // not the client gone: the client too slow
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away; nobody to tell
	}
	status := http.StatusBadGateway
	var slowBody errBodyTimeout
	switch {
	case errors.As(err, &slowBody):
		status = http.StatusRequestTimeout
		w.Header().Set("Connection", "close")
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		status = http.StatusGatewayTimeout
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintf(w, "expose-gw proxy: %s\n", oneLine(err))
}

// isTimeout is a net.Error timeout, as the transport's "timeout awaiting
// response headers".
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// oneLine keeps an error's message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
