package portforward

import (
	"encoding/binary"
	"net"
	"sync"
)

// frameHeaderLen is the length of a SPDY/3 frame header: 8 bytes, the low
// 24 bits of the second word being the length of what follows, for control
// and data frames alike.
const frameHeaderLen = 8

// frameConn is a net.Conn under a SPDY connection that writes each SPDY
// frame with one Write. spdystream serializes a frame in pieces (a data
// frame as stream id, flags+length, then the data: three Writes); on the
// WebSocket tunnel to the apiserver each Write is a WebSocket message, a TLS
// record and a write(2), which the apiserver and the kubelet handle one by
// one. frameConn keeps the pieces until the frame is whole. spdystream
// writes frames one at a time (its framer holds a lock), each to the end,
// so nothing waits in the buffer past the Write that completes its frame.
type frameConn struct {
	net.Conn
	mu  sync.Mutex
	buf []byte
}

func newFrameConn(c net.Conn) *frameConn { return &frameConn{Conn: c} }

// Write buffers p and writes out the frames it completes, in one Write.
func (c *frameConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p...)
	n := wholeFrames(c.buf)
	if n == 0 {
		return len(p), nil
	}
	_, err := c.Conn.Write(c.buf[:n])
	rest := copy(c.buf, c.buf[n:])
	c.buf = c.buf[:rest]
	if cap(c.buf) > 64<<10 && rest == 0 {
		c.buf = nil // a large frame's buffer is not kept
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// wholeFrames is the length of the complete SPDY frames at b's start.
func wholeFrames(b []byte) int {
	n := 0
	for len(b)-n >= frameHeaderLen {
		size := frameHeaderLen + int(binary.BigEndian.Uint32(b[n+4:n+8])&0xffffff)
		if len(b)-n < size {
			break
		}
		n += size
	}
	return n
}
