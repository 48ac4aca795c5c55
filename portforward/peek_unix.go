//go:build unix

package portforward

import (
	"net"
	"syscall"
)

// peerClosed looks, without waiting, whether the other end of a TCP
// connection closed it or sent something: either way it cannot carry a new
// request. Connections that are not sockets count as open.
func peerClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	closed := false
	err = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = err != syscall.EAGAIN // data, end of stream (n == 0) or an error
		return true
	})
	return closed || err != nil
}
