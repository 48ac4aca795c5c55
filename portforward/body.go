package portforward

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// bodyTimeout gives every read of a request body d to bring a byte: the
// connection's read deadline is moved before each read. When the body is
// done, net/http clears the deadline itself (its background read), and a
// hijacked connection (a WebSocket) has its deadlines cleared too.
func bodyTimeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &deadlineBody{ReadCloser: r.Body, rc: http.NewResponseController(w), d: d}
		}
		next.ServeHTTP(w, r)
	})
}

type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	d    time.Duration
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	if !b.done {
		_ = b.rc.SetReadDeadline(time.Now().Add(b.d))
	}
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.done = true
		if errors.Is(err, os.ErrDeadlineExceeded) {
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
