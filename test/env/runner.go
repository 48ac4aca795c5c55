package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// Runner is a TB for programs that run the environment outside `go test`
// (the demo and the benchmark sandboxes): Fatal stops Run with an error and
// the cleanups run afterwards, newest first.
type Runner struct {
	ctx      context.Context
	tempName string
	log      io.Writer
	cleanups []func()
	failed   bool
}

// NewRunner returns a Runner whose Context is ctx, whose temp folders are
// named tempName*, and whose Logf lines go to log (nowhere when nil).
func NewRunner(ctx context.Context, tempName string, log io.Writer) *Runner {
	if log == nil {
		log = io.Discard
	}
	return &Runner{ctx: ctx, tempName: tempName, log: log}
}

type fatal struct{ msg string }

func (r *Runner) Helper() {}
func (r *Runner) Logf(format string, args ...any) {
	fmt.Fprintf(r.log, "  | "+format+"\n", args...)
}
func (r *Runner) Fatal(args ...any) { r.failed = true; panic(fatal{fmt.Sprint(args...)}) }
func (r *Runner) Fatalf(format string, args ...any) {
	r.failed = true
	panic(fatal{fmt.Sprintf(format, args...)})
}

// Errorf reports a failure and goes on, as testing.T's does.
func (r *Runner) Errorf(format string, args ...any) {
	r.failed = true
	r.Logf("error: "+format, args...)
}
func (r *Runner) Cleanup(f func())         { r.cleanups = append(r.cleanups, f) }
func (r *Runner) Context() context.Context { return r.ctx }
func (r *Runner) Failed() bool             { return r.failed }
func (r *Runner) TempDir() string {
	d, err := os.MkdirTemp("", r.tempName)
	if err != nil {
		r.Fatalf("creating a temp dir: %v", err)
	}
	r.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// Run calls f, turns a Fatal inside it into the returned error, then runs
// the cleanups, newest first.
func (r *Runner) Run(f func()) (err error) {
	defer func() {
		for i := len(r.cleanups) - 1; i >= 0; i-- {
			r.cleanups[i]()
		}
		r.cleanups = nil
	}()
	defer func() {
		if v := recover(); v != nil {
			ft, ok := v.(fatal)
			if !ok {
				panic(v)
			}
			err = errors.New(ft.msg)
		}
	}()
	f()
	return nil
}
