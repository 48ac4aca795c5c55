package portforward

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// The relays copy a response body from the gateway to the client as it
// comes: whatever the gateway sent so far is flushed to the client before
// waiting for more, so streamed answers and server-sent events are not
// held back.

// relayN copies n bytes.
func relayN(dst *bufio.Writer, src *bufio.Reader, n int64) error {
	for n > 0 {
		if err := fill(dst, src); err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		b, _ := src.Peek(int(min(int64(src.Buffered()), n)))
		if _, err := dst.Write(b); err != nil {
			return err
		}
		_, _ = src.Discard(len(b))
		n -= int64(len(b))
	}
	return nil
}

// relayToEOF copies until the gateway closes the connection.
func relayToEOF(dst *bufio.Writer, src *bufio.Reader) error {
	for {
		if err := fill(dst, src); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		b, _ := src.Peek(src.Buffered())
		if _, err := dst.Write(b); err != nil {
			return err
		}
		_, _ = src.Discard(len(b))
	}
}

// relayChunked copies a chunked body as it is, chunk sizes, extensions and
// trailers included, up to its end.
func relayChunked(dst *bufio.Writer, src *bufio.Reader) error {
	for {
		line, err := readLine(dst, src)
		if err != nil {
			return err
		}
		size, ok := chunkSize(line)
		if !ok {
			return errors.New("malformed chunked body from the gateway")
		}
		if _, err := dst.Write(line); err != nil {
			return err
		}
		if size == 0 {
			break
		}
		if err := relayN(dst, src, size+2); err != nil {
			return err
		}
	}
	// Trailers, up to the blank line.
	for {
		line, err := readLine(dst, src)
		if err != nil {
			return err
		}
		if _, err := dst.Write(line); err != nil {
			return err
		}
		if len(line) == 2 {
			return nil
		}
	}
}

// readLine returns the next line with its CRLF, valid until src is read
// again.
func readLine(dst *bufio.Writer, src *bufio.Reader) ([]byte, error) {
	if err := fill(dst, src); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line, err := src.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, errors.New("malformed chunked body from the gateway")
	}
	return line, nil
}

// chunkSize parses "1a3f[;ext]\r\n".
func chunkSize(line []byte) (int64, bool) {
	hex := line[:len(line)-2]
	if i := bytes.IndexByte(hex, ';'); i >= 0 {
		hex = hex[:i]
	}
	hex = bytes.TrimRight(hex, " \t")
	if len(hex) == 0 || len(hex) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range hex {
		switch {
		case '0' <= c && c <= '9':
			n = n<<4 | int64(c-'0')
		case 'a' <= c && c <= 'f':
			n = n<<4 | int64(c-'a'+10)
		case 'A' <= c && c <= 'F':
			n = n<<4 | int64(c-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
}

// fill makes sure src has bytes buffered, flushing dst before it waits.
func fill(dst *bufio.Writer, src *bufio.Reader) error {
	if src.Buffered() > 0 {
		return nil
	}
	if dst.Buffered() > 0 {
		if err := dst.Flush(); err != nil {
			return err
		}
	}
	_, err := src.Peek(1)
	return err
}
