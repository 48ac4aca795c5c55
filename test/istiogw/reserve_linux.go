package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
)

// reservation holds a mapping's address while the gateway does not serve
// it: a socket bound to it that does not listen, so connections are
// refused there (as at a pod port without an Envoy listener) and no other
// process on the machine is given the port meanwhile (the test
// environment picks the addresses when it starts; a build serves them
// much later, or never).
type reservation struct{ fd int }

func reserve(addr string) (*reservation, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ip := net.ParseIP(host).To4()
	p, err := strconv.Atoi(port)
	if ip == nil || err != nil {
		return nil, fmt.Errorf("reserving %s: want IPv4:PORT", addr)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("reserving %s: %w", addr, err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("reserving %s: %w", addr, err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Port: p, Addr: [4]byte(ip)}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("reserving %s: %w", addr, err)
	}
	return &reservation{fd: fd}, nil
}

// listen turns the reservation into a listener (the reservation is used
// up: closing the listener frees the address).
func (r *reservation) listen() (net.Listener, error) {
	if err := syscall.Listen(r.fd, syscall.SOMAXCONN); err != nil {
		r.release()
		return nil, err
	}
	f := os.NewFile(uintptr(r.fd), "reserved")
	defer f.Close() // FileListener holds its own copy
	r.fd = -1
	return net.FileListener(f)
}

// release frees the address.
func (r *reservation) release() {
	if r != nil && r.fd >= 0 {
		syscall.Close(r.fd)
		r.fd = -1
	}
}
