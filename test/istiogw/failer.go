package main

import (
	"fmt"
	"log"
	"os"
	"sync"
)

// failer satisfies istio's test.Failer for a long-running program: a fatal
// call panics with failure (recovered by build), cleanups run on close.
type failer struct {
	mu       sync.Mutex
	cleanups []func()
	dirs     []string
}

type failure struct{ msg string }

func (f *failer) Fail()                             { panic(failure{"Fail called"}) }
func (f *failer) FailNow()                          { panic(failure{"FailNow called"}) }
func (f *failer) Fatal(args ...any)                 { panic(failure{fmt.Sprint(args...)}) }
func (f *failer) Fatalf(format string, args ...any) { panic(failure{fmt.Sprintf(format, args...)}) }
func (f *failer) Log(args ...any)                   { log.Print(args...) }
func (f *failer) Logf(format string, args ...any)   { log.Printf(format, args...) }
func (f *failer) Helper()                           {}
func (f *failer) Skip(args ...any)                  { panic(failure{"Skip: " + fmt.Sprint(args...)}) }

func (f *failer) TempDir() string {
	d, err := os.MkdirTemp("", "istiogw-")
	if err != nil {
		panic(failure{err.Error()})
	}
	f.mu.Lock()
	f.dirs = append(f.dirs, d)
	f.mu.Unlock()
	return d
}

func (f *failer) Cleanup(fn func()) {
	f.mu.Lock()
	f.cleanups = append(f.cleanups, fn)
	f.mu.Unlock()
}

// close runs the cleanups, last registered first, and removes temp dirs.
func (f *failer) close() {
	f.mu.Lock()
	cs, ds := f.cleanups, f.dirs
	f.cleanups, f.dirs = nil, nil
	f.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		func() {
			defer func() { _ = recover() }()
			cs[i]()
		}()
	}
	for _, d := range ds {
		_ = os.RemoveAll(d)
	}
}

// catch turns a failure panic into an error.
func catch(err *error) {
	if r := recover(); r != nil {
		if f, ok := r.(failure); ok {
			*err = fmt.Errorf("istio: %s", f.msg)
			return
		}
		*err = fmt.Errorf("istio panicked: %v", r)
	}
}
