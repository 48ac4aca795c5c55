package portforward

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// bodyTimeout gives every read of a request body d to bring a byte: the
// connection's read deadline is moved before each read. When the body is
// done, net/http clears the deadline itself (its background read), and a
// hijacked connection (a WebSocket) has its deadlines cleared too.
func bodyTimeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			b := &deadlineBody{ReadCloser: r.Body, rc: http.NewResponseController(w), d: d}
			r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, b))
			r.Body = b
		}
		next.ServeHTTP(w, r)
	})
}

type deadlineBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	d       time.Duration
	done    bool
	stalled atomic.Bool // read by the error handler, in another goroutine
}

type bodyKey struct{}

// stalledBody is the timeout of r's body when it stalled: the read error
// also cancels r's context, so the proxy sees "context canceled" and this
// tells why.
func stalledBody(r *http.Request) (errBodyTimeout, bool) {
	b, ok := r.Context().Value(bodyKey{}).(*deadlineBody)
	if !ok || !b.stalled.Load() {
		return errBodyTimeout{}, false
	}
	return errBodyTimeout{b.d}, true
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	if !b.done {
		_ = b.rc.SetReadDeadline(time.Now().Add(b.d))
	}
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.done = true
		if errors.Is(err, os.ErrDeadlineExceeded) {
			b.stalled.Store(true)
			err = errBodyTimeout{b.d}
		}
	}
	return n, err
}

// errBodyTimeout is a request body that stalled; the client gets a 408.
type errBodyTimeout struct{ d time.Duration }

func (e errBodyTimeout) Error() string {
	return fmt.Sprintf("the request body sent nothing for %s", e.d)
}
