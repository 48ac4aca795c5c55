package portforward

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"slices"
)

// This file parses HTTP/1.1 message heads for the forwarder (forward.go).
// It only accepts what it fully understands; anything else (HTTP/1.0,
// upgrades, chunked or large request bodies, obs-fold, bare LF, absolute
// form, CONNECT...) is not an error: the connection goes to net/http.

// span is a part of a head: head[start:end].
type span struct{ start, end int }

// reqHead is a request head the forwarder can send on as it is, bar the
// Host and X-Forwarded-* headers. Spans point into the peeked head.
type reqHead struct {
	method, target span
	host           span
	xff            []span // X-Forwarded-For values the client sent
	keep           []span // header lines passed through (without CRLF)
	contentLength  int64
	close          bool // Connection: close
}

// peekHead waits until br holds a whole head (up to the blank line) and
// returns its length without consuming it; -1 when the head does not fit
// in br's buffer. err is the read error when the connection ends first.
func peekHead(br *bufio.Reader) (int, error) {
	from, want := 0, 1
	for {
		if _, err := br.Peek(want); err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return -1, nil
			}
			if br.Buffered() > 0 && errors.Is(err, io.EOF) {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
		n := br.Buffered()
		b, _ := br.Peek(n)
		if i := bytes.Index(b[from:], crlfcrlf); i >= 0 {
			return from + i + 4, nil
		}
		if n == br.Size() {
			return -1, nil
		}
		from, want = max(0, n-3), n+1
	}
}

var crlfcrlf = []byte("\r\n\r\n")

// parseRequest fills h from head (which ends with CRLF CRLF) and reports
// whether the forwarder can take the request.
func parseRequest(head []byte, h *reqHead) bool {
	h.xff, h.keep = h.xff[:0], h.keep[:0]
	h.host, h.contentLength, h.close = span{}, 0, false
	line, next, ok := nextLine(head, 0)
	if !ok {
		return false
	}
	// METHOD SP origin-form SP HTTP/1.1
	sp1 := bytes.IndexByte(head[line.start:line.end], ' ')
	if sp1 <= 0 {
		return false
	}
	h.method = span{line.start, line.start + sp1}
	if !plainMethod(head[h.method.start:h.method.end]) {
		return false
	}
	rest := head[h.method.end+1 : line.end]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 <= 0 || rest[0] != '/' || string(rest[sp2+1:]) != "HTTP/1.1" {
		return false
	}
	h.target = span{h.method.end + 1, h.method.end + 1 + sp2}
	for _, c := range head[h.target.start:h.target.end] {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	hosts, lengths := 0, 0
	for {
		line, next, ok = nextLine(head, next)
		if !ok {
			return false
		}
		if line.start == line.end {
			break // the blank line
		}
		name, value, ok := field(head, line)
		if !ok {
			return false
		}
		switch {
		case fold(head[name.start:name.end], "host"):
			hosts++
			h.host = value
		case fold(head[name.start:name.end], "content-length"):
			lengths++
			n, ok := digits(head[value.start:value.end])
			if !ok {
				return false
			}
			h.contentLength = n
			h.keep = append(h.keep, line)
		case fold(head[name.start:name.end], "connection"):
			if !connectionTokens(head[value.start:value.end], &h.close) {
				return false
			}
		case fold(head[name.start:name.end], "x-forwarded-for"):
			if value.start < value.end {
				h.xff = append(h.xff, value)
			}
		case dropped(head[name.start:name.end]):
		case slowOnly(head[name.start:name.end]):
			return false
		default:
			h.keep = append(h.keep, line)
		}
	}
	return hosts == 1 && h.host.start < h.host.end && lengths <= 1
}

// respHead is a response head from the gateway.
type respHead struct {
	status        int
	http10        bool
	reason        span // the status line after the code, with its space
	keep          []span
	contentLength int64 // -1: none
	chunked       bool
	close         bool // the gateway closes the connection after it
}

// parseResponse fills r from head and says what is wrong when it cannot
// be forwarded.
func parseResponse(head []byte, r *respHead) error {
	r.keep = r.keep[:0]
	r.contentLength, r.chunked, r.close = -1, false, false
	line, next, ok := nextLine(head, 0)
	if !ok || line.end-line.start < 12 {
		return errMalformed
	}
	s := head[line.start:line.end]
	switch string(s[:9]) {
	case "HTTP/1.1 ":
		r.http10 = false
	case "HTTP/1.0 ":
		r.http10, r.close = true, true
	default:
		return errMalformed
	}
	code, ok := digits(s[9:12])
	if !ok || code < 100 || (len(s) > 12 && s[12] != ' ') {
		return errMalformed
	}
	r.status = int(code)
	r.reason = span{line.start + 12, line.end}
	var drop []string // header names the Connection header lists
	for {
		line, next, ok = nextLine(head, next)
		if !ok {
			return errMalformed
		}
		if line.start == line.end {
			break
		}
		name, value, ok := field(head, line)
		if !ok {
			return errMalformed
		}
		n, v := head[name.start:name.end], head[value.start:value.end]
		switch {
		case fold(n, "content-length"):
			cl, ok := digits(v)
			if !ok || (r.contentLength >= 0 && r.contentLength != cl) {
				return errMalformed
			}
			r.contentLength = cl
			r.keep = append(r.keep, line)
		case fold(n, "transfer-encoding"):
			// The last coding says how the message ends; the codings are
			// passed through untouched.
			last := v
			if i := bytes.LastIndexByte(v, ','); i >= 0 {
				last = bytes.TrimSpace(v[i+1:])
			}
			r.chunked = fold(last, "chunked")
			if !r.chunked {
				r.close = true
			}
			r.keep = append(r.keep, line)
		case fold(n, "connection"):
			for _, tok := range bytes.Split(v, []byte(",")) {
				tok = bytes.TrimSpace(tok)
				switch {
				case fold(tok, "close"):
					r.close = true
				case fold(tok, "keep-alive"):
					if r.http10 {
						r.close = false
					}
				default:
					drop = append(drop, string(bytes.ToLower(tok)))
				}
			}
		case fold(n, "keep-alive"), fold(n, "proxy-connection"), fold(n, "upgrade"):
		default:
			r.keep = append(r.keep, line)
		}
	}
	if r.chunked {
		r.contentLength = -1
	}
	if len(drop) > 0 {
		kept := r.keep[:0]
		for _, l := range r.keep {
			name, _, _ := field(head, l)
			if !slices.Contains(drop, string(bytes.ToLower(head[name.start:name.end]))) {
				kept = append(kept, l)
			}
		}
		r.keep = kept
	}
	return nil
}

var errMalformed = errors.New("malformed response head from the gateway")

// nextLine returns the line starting at from (without its CRLF) and where
// the next one starts. A bare CR or LF makes it fail.
func nextLine(head []byte, from int) (span, int, bool) {
	i := bytes.IndexByte(head[from:], '\n')
	if i < 1 || head[from+i-1] != '\r' {
		return span{}, 0, false
	}
	end := from + i - 1
	if bytes.IndexByte(head[from:end], '\r') >= 0 {
		return span{}, 0, false
	}
	return span{from, end}, from + i + 1, true
}

// field splits "name: value" (value without surrounding blanks). The name
// must be a token right before the colon; no obs-fold, no control byte in
// the value.
func field(head []byte, line span) (name, value span, ok bool) {
	l := head[line.start:line.end]
	colon := bytes.IndexByte(l, ':')
	if colon <= 0 {
		return span{}, span{}, false
	}
	for _, c := range l[:colon] {
		if !tokenChar[c] {
			return span{}, span{}, false
		}
	}
	vs, ve := colon+1, len(l)
	for vs < ve && (l[vs] == ' ' || l[vs] == '\t') {
		vs++
	}
	for ve > vs && (l[ve-1] == ' ' || l[ve-1] == '\t') {
		ve--
	}
	for _, c := range l[vs:ve] {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return span{}, span{}, false // control bytes: net/http refuses them
		}
	}
	return span{line.start, line.start + colon}, span{line.start + vs, line.start + ve}, true
}

// connectionTokens accepts a Connection header of close and keep-alive
// only (any other token names a header to drop or an upgrade).
func connectionTokens(v []byte, close *bool) bool {
	for _, tok := range bytes.Split(v, []byte(",")) {
		tok = bytes.TrimSpace(tok)
		switch {
		case fold(tok, "close"):
			*close = true
		case fold(tok, "keep-alive"), len(tok) == 0:
		default:
			return false
		}
	}
	return true
}

// dropped are request headers a reverse proxy does not pass on: hop-by-hop
// ones, and the forwarding headers it writes itself (as
// httputil.ReverseProxy does with Rewrite).
func dropped(name []byte) bool {
	for _, h := range [...]string{"keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
		"trailer", "forwarded", "x-forwarded-host", "x-forwarded-proto"} {
		if fold(name, h) {
			return true
		}
	}
	return false
}

// slowOnly are request headers that need net/http's full handling.
func slowOnly(name []byte) bool {
	for _, h := range [...]string{"transfer-encoding", "upgrade", "expect", "te"} {
		if fold(name, h) {
			return true
		}
	}
	return false
}

func plainMethod(m []byte) bool {
	switch string(m) {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS":
		return true
	}
	return false
}

// fold compares b with the lower-case ASCII s, ignoring case.
func fold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// digits parses a non-negative decimal of at most 18 digits.
func digits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// tokenChar are the bytes of an RFC 9110 token.
var tokenChar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()
