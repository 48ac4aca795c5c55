package route

import (
	"fmt"
)

// DryRun is what --dry-run asks for: write (none), print only (client),
// or send to the apiserver to validate without persisting (server).
type DryRun int

const (
	DryRunNone DryRun = iota
	DryRunClient
	DryRunServer
)

// ParseDryRun reads --dry-run.
func ParseDryRun(s string) (DryRun, error) {
	switch s {
	case "", "none", "false":
		return DryRunNone, nil
	case "client", "true":
		return DryRunClient, nil
	case "server":
		return DryRunServer, nil
	}
	return 0, fmt.Errorf("invalid --dry-run %q: expected none, client or server", s)
}

// Suffix is what kubectl adds to the name printer's operation.
func (m DryRun) Suffix() string {
	switch m {
	case DryRunClient:
		return " (dry run)"
	case DryRunServer:
		return " (server dry run)"
	}
	return ""
}
