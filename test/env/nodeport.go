package testenv

import (
	"net"
	"strconv"
	"time"
)

// FreeNodePort finds a port of the NodePort range free on 127.0.0.1,
// starting at a point that differs between test processes.
func FreeNodePort(t TB) int {
	t.Helper()
	start := 30000 + int(time.Now().UnixNano()%2000)
	for p := start; p < 32767; p++ {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err == nil {
			l.Close()
			return p
		}
	}
	t.Fatal("no free port in the NodePort range")
	return 0
}
