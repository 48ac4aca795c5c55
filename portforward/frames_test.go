package portforward

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"testing"

	"github.com/moby/spdystream/spdy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writesConn records each Write on a net.Conn.
type writesConn struct {
	net.Conn
	writes [][]byte
	err    error
}

func (c *writesConn) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

// frames are SPDY frames of every kind a port-forward connection writes.
func frames() []spdy.Frame {
	return []spdy.Frame{
		&spdy.SynStreamFrame{StreamId: 1, Headers: http.Header{"Streamtype": {"data"}, "Port": {"80"}, "Requestid": {"0"}}},
		&spdy.DataFrame{StreamId: 1, Data: []byte("GET / HTTP/1.1\r\nHost: flask.example.com\r\n\r\n")},
		&spdy.DataFrame{StreamId: 1, Data: bytes.Repeat([]byte("x"), 40<<10)},
		&spdy.DataFrame{StreamId: 1, Data: nil, Flags: spdy.DataFlagFin},
		&spdy.PingFrame{Id: 7},
		&spdy.RstStreamFrame{StreamId: 3, Status: spdy.Cancel},
		&spdy.GoAwayFrame{LastGoodStreamId: 1},
	}
}

// TestFrameConnWritesWholeFrames: spdystream's own framer writing through a
// frameConn gives one Write per frame, and the bytes the framer writes to
// a plain buffer (its pieces, unjoined).
func TestFrameConnWritesWholeFrames(t *testing.T) {
	rec := &writesConn{}
	fc := newFrameConn(rec)
	ours, err := spdy.NewFramer(fc, nil)
	require.NoError(t, err)
	var plain pieces
	lib, err := spdy.NewFramer(&plain, nil)
	require.NoError(t, err)
	for _, f := range frames() {
		require.NoError(t, ours.WriteFrame(f))
		require.NoError(t, lib.WriteFrame(f))
	}
	require.Len(t, rec.writes, len(frames()), "one Write per frame")
	for i, w := range rec.writes {
		assert.Equal(t, len(w), wholeFrames(w), "write %d is whole frames", i)
	}
	assert.Greater(t, len(plain.writes), 2*len(frames()), "the library's framer writes each frame in pieces")
	assert.Empty(t, fc.buf)
	// The library's framer reads the same frames from both streams (header
	// blocks are compressed with a connection-wide zlib context, and their
	// order follows map iteration, so the bytes need not be equal).
	assert.Equal(t, readFrames(t, bytes.Join(plain.writes, nil)), readFrames(t, bytes.Join(rec.writes, nil)))
}

// readFrames decodes a connection's byte stream with spdystream's framer.
func readFrames(t *testing.T, b []byte) []spdy.Frame {
	t.Helper()
	r, err := spdy.NewFramer(nil, bytes.NewReader(b))
	require.NoError(t, err)
	var out []spdy.Frame
	for {
		f, err := r.ReadFrame()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, f)
	}
}

// pieces records the Writes of a framer.
type pieces struct{ writes [][]byte }

func (p *pieces) Write(b []byte) (int, error) {
	p.writes = append(p.writes, bytes.Clone(b))
	return len(b), nil
}

// TestFrameConnAnySplit: a stream of frames written in pieces split
// anywhere comes out as the same bytes, each Write ending on a frame
// boundary, nothing left over.
func TestFrameConnAnySplit(t *testing.T) {
	var stream pieces
	lib, err := spdy.NewFramer(&stream, nil)
	require.NoError(t, err)
	var bounds []int
	for _, f := range frames() {
		require.NoError(t, lib.WriteFrame(f))
		bounds = append(bounds, len(bytes.Join(stream.writes, nil)))
	}
	all := bytes.Join(stream.writes, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		rec := &writesConn{}
		fc := newFrameConn(rec)
		for rest := all; len(rest) > 0; {
			n := 1 + rng.IntN(min(len(rest), 1+rng.IntN(2*frameHeaderLen+64)))
			if round%2 == 1 {
				n = min(len(rest), 1+rng.IntN(50<<10)) // big pieces: several frames per Write
			}
			m, err := fc.Write(rest[:n])
			require.NoError(t, err)
			require.Equal(t, n, m)
			rest = rest[n:]
		}
		require.Equal(t, all, bytes.Join(rec.writes, nil), "round %d", round)
		end := 0
		for _, w := range rec.writes {
			end += len(w)
			assert.Contains(t, bounds, end, "round %d: a Write ends inside a frame", round)
		}
		assert.Empty(t, fc.buf, "round %d", round)
	}
}

// TestFrameConnError: the connection's write error is the frame's.
func TestFrameConnError(t *testing.T) {
	boom := errors.New("broken pipe")
	fc := newFrameConn(&writesConn{err: boom})
	f, err := spdy.NewFramer(fc, nil)
	require.NoError(t, err)
	assert.ErrorIs(t, f.WriteFrame(&spdy.DataFrame{StreamId: 1, Data: []byte("x")}), boom)
}
