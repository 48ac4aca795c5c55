package testenv

import "context"

// TB is the part of testing.TB the environment uses. *testing.T satisfies
// it; so does the demo's runner (test/demo), which runs the same sandbox
// outside `go test`.
type TB interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
	TempDir() string
	Context() context.Context
	Failed() bool
}
