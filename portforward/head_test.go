package portforward

import (
	"bufio"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name, head string
		ok         bool
		host       string
		length     int64
		close      bool
		keep, xff  []string
	}{
		{name: "plain GET", head: "GET /env/version?x=1 HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n\r\n",
			ok: true, host: "a.example", keep: []string{"Accept: */*"}},
		{name: "POST with a length, blanks around values", head: "POST /p HTTP/1.1\r\nhost:  a.example \r\nContent-Length: 5\r\n\r\n",
			ok: true, host: "a.example", length: 5, keep: []string{"Content-Length: 5"}},
		{name: "hop-by-hop and forwarding headers are not passed", head: "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\n" +
			"Proxy-Authorization: x\r\nForwarded: for=1\r\nX-Forwarded-Host: e\r\nX-Forwarded-Proto: https\r\nX-Forwarded-For: 10.0.0.1\r\nx-forwarded-for: 10.0.0.2\r\nX-A: b\r\n\r\n",
			ok: true, host: "h", keep: []string{"X-A: b"}, xff: []string{"10.0.0.1", "10.0.0.2"}},
		{name: "Connection: close is noted", head: "GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n", ok: true, host: "h", close: true},
		{name: "HTTP/1.0 goes to net/http", head: "GET / HTTP/1.0\r\nHost: h\r\n\r\n"},
		{name: "absolute form goes to net/http", head: "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n"},
		{name: "CONNECT goes to net/http", head: "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"},
		{name: "an unknown method goes to net/http", head: "PROPFIND / HTTP/1.1\r\nHost: h\r\n\r\n"},
		{name: "chunked upload goes to net/http", head: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"},
		{name: "length and chunked together go to net/http", head: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"},
		{name: "two lengths go to net/http", head: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n"},
		{name: "a signed length goes to net/http", head: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\n"},
		{name: "upgrade goes to net/http", head: "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"},
		{name: "Expect goes to net/http", head: "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n"},
		{name: "a header named in Connection goes to net/http", head: "GET / HTTP/1.1\r\nHost: h\r\nConnection: X-Secret\r\n\r\n"},
		{name: "no Host goes to net/http", head: "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"},
		{name: "two Hosts go to net/http", head: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
		{name: "obs-fold goes to net/http", head: "GET / HTTP/1.1\r\nHost: h\r\nX-A: b\r\n c\r\n\r\n"},
		{name: "space before the colon goes to net/http", head: "GET / HTTP/1.1\r\nHost: h\r\nContent-Length : 3\r\n\r\n"},
		{name: "a bare LF goes to net/http", head: "GET / HTTP/1.1\nHost: h\r\n\r\n"},
		{name: "a bare CR goes to net/http", head: "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n"},
		{name: "a NUL in a value goes to net/http", head: "GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n"},
		{name: "an escape byte in a value goes to net/http", head: "GET / HTTP/1.1\r\nHost: h\r\nX: a\x1bb\r\n\r\n"},
		{name: "a tab in a value is fine", head: "GET / HTTP/1.1\r\nHost: h\r\nX: a\tb\r\n\r\n", ok: true, host: "h", keep: []string{"X: a\tb"}},
		{name: "a control byte in the target goes to net/http", head: "GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n"},
		{name: "a leading blank line goes to net/http", head: "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h reqHead
			ok := parseRequest([]byte(tt.head), &h)
			require.Equal(t, tt.ok, ok)
			if !ok {
				return
			}
			head := []byte(tt.head)
			assert.Equal(t, tt.host, string(head[h.host.start:h.host.end]))
			assert.Equal(t, tt.length, h.contentLength)
			assert.Equal(t, tt.close, h.close)
			assert.Equal(t, tt.keep, texts(head, h.keep))
			assert.Equal(t, tt.xff, texts(head, h.xff))
		})
	}
}

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name, head string
		err        bool
		status     int
		length     int64
		chunked    bool
		close      bool
		keep       []string
	}{
		{name: "length", head: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A: b\r\n\r\n",
			status: 200, length: 3, keep: []string{"Content-Length: 3", "X-A: b"}},
		{name: "chunked wins over a length", head: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
			status: 200, length: -1, chunked: true, keep: []string{"Content-Length: 3", "Transfer-Encoding: chunked"}},
		{name: "no length: until close", head: "HTTP/1.1 200 OK\r\n\r\n", status: 200, length: -1},
		{name: "HTTP/1.0 closes unless keep-alive", head: "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", status: 200, close: true, keep: []string{"Content-Length: 0"}},
		{name: "HTTP/1.0 keep-alive", head: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", status: 200, keep: []string{"Content-Length: 0"}},
		{name: "hop-by-hop headers and the ones Connection names are dropped",
			head:   "HTTP/1.1 204 No Content\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nX-End: 2\r\n\r\n",
			status: 204, length: -1, close: true, keep: []string{"X-End: 2"}},
		{name: "a status without a reason", head: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", status: 200, keep: []string{"Content-Length: 0"}},
		{name: "two different lengths", head: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", err: true},
		{name: "not HTTP", head: "SSH-2.0-OpenSSH\r\n\r\n", err: true},
		{name: "a bad status code", head: "HTTP/1.1 2x0 OK\r\n\r\n", err: true},
		{name: "a bad header line", head: "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r respHead
			err := parseResponse([]byte(tt.head), &r)
			if tt.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.status, r.status)
			assert.Equal(t, tt.length, r.contentLength)
			assert.Equal(t, tt.chunked, r.chunked)
			assert.Equal(t, tt.close, r.close)
			assert.Equal(t, tt.keep, texts([]byte(tt.head), r.keep))
		})
	}
}

func TestPeekHead(t *testing.T) {
	tests := []struct {
		name, in string
		size     int
		want     int
		err      error
	}{
		{"a whole head", "GET / HTTP/1.1\r\nHost: h\r\n\r\nbody", 64, 27, nil},
		{"a head larger than the buffer", "GET / HTTP/1.1\r\nHost: " + strings.Repeat("h", 40) + "\r\n\r\n", 32, -1, nil},
		{"nothing", "", 64, 0, io.EOF},
		{"a cut head", "GET / HTTP/1.1\r\nHo", 64, 0, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte per read, so the head arrives in pieces.
			br := bufio.NewReaderSize(io.LimitReader(&slowReader{s: tt.in}, int64(len(tt.in))), tt.size)
			n, err := peekHead(br)
			assert.Equal(t, tt.want, n)
			assert.ErrorIs(t, err, tt.err)
		})
	}
}

func TestChunkSize(t *testing.T) {
	for line, want := range map[string]int64{"0\r\n": 0, "1a\r\n": 26, "FF;ext=1\r\n": 255, "10 \r\n": 16} {
		n, ok := chunkSize([]byte(line))
		assert.True(t, ok, line)
		assert.Equal(t, want, n, line)
	}
	for _, line := range []string{"\r\n", "x\r\n", "-1\r\n", "1234567890abcdef0\r\n"} {
		_, ok := chunkSize([]byte(line))
		assert.False(t, ok, line)
	}
}

// FuzzParseRequest checks that any head is either refused or parsed into
// spans inside it, with a Host and a length that fits.
func FuzzParseRequest(f *testing.F) {
	f.Add("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	f.Add("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nX-Forwarded-For: a\r\n\r\n")
	f.Add("GET / HTTP/1.1\r\nHost: h\r\nConnection: close, keep-alive\r\n\r\n")
	f.Fuzz(func(t *testing.T, head string) {
		var h reqHead
		if !parseRequest([]byte(head), &h) {
			return
		}
		for _, s := range append(append([]span{h.method, h.target, h.host}, h.keep...), h.xff...) {
			if s.start < 0 || s.end > len(head) || s.start > s.end {
				t.Fatalf("span %v outside the head %q", s, head)
			}
		}
		if h.host.start == h.host.end || h.contentLength < 0 {
			t.Fatalf("accepted %q with host %v and length %d", head, h.host, h.contentLength)
		}
		if strings.ContainsAny(head[h.target.start:h.target.end], " \r\n") {
			t.Fatalf("accepted a target with a blank in %q", head)
		}
	})
}

// FuzzParseResponse checks that no response head makes the parser panic
// or accept contradictory framing.
func FuzzParseResponse(f *testing.F) {
	f.Add("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n")
	f.Add("HTTP/1.0 204 No Content\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\n\r\n")
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
	f.Fuzz(func(t *testing.T, head string) {
		var r respHead
		if parseResponse([]byte(head), &r) != nil {
			return
		}
		if r.chunked && r.contentLength >= 0 {
			t.Fatalf("chunked with a length in %q", head)
		}
		if r.status < 100 || r.status > 999 {
			t.Fatalf("status %d from %q", r.status, head)
		}
	})
}

func texts(head []byte, spans []span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, string(head[s.start:s.end]))
	}
	return out
}

// slowReader returns one byte per Read.
type slowReader struct{ s string }

func (r *slowReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.s[0]
	r.s = r.s[1:]
	return 1, nil
}
