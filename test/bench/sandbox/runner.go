package main

import (
	"context"
	"fmt"
	"os"
)

// runner lets the test environment (written for *testing.T) run outside
// `go test`: Fatal stops the program, cleanups run last-in first-out.
type runner struct {
	ctx      context.Context
	cleanups []func()
	failed   bool
}

type fatal struct{ msg string }

func (r *runner) Helper()                  {}
func (r *runner) Logf(string, ...any)      {}
func (r *runner) Fatal(args ...any)        { r.failed = true; panic(fatal{fmt.Sprint(args...)}) }
func (r *runner) Cleanup(f func())         { r.cleanups = append(r.cleanups, f) }
func (r *runner) Context() context.Context { return r.ctx }
func (r *runner) Failed() bool             { return r.failed }
func (r *runner) Fatalf(format string, args ...any) {
	r.failed = true
	panic(fatal{fmt.Sprintf(format, args...)})
}
func (r *runner) TempDir() string {
	d, err := os.MkdirTemp("", "expose-gw-bench-")
	if err != nil {
		r.Fatalf("creating a temp dir: %v", err)
	}
	r.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func (r *runner) cleanup() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	r.cleanups = nil
}
