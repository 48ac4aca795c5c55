//go:build !linux

package main

import "net"

// reservation is a no-op off Linux: the address is bound when served.
type reservation struct{ addr string }

func reserve(addr string) (*reservation, error) { return &reservation{addr}, nil }

func (r *reservation) listen() (net.Listener, error) { return net.Listen("tcp", r.addr) }

func (r *reservation) release() {}
