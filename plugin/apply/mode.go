package apply

import (
	"fmt"
)

// dryRunMode is --dry-run.
type Mode int

const (
	DryRunNone Mode = iota
	DryRunClient
	DryRunServer
)

func ParseDryRun(s string) (Mode, error) {
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

func (m Mode) Suffix() string {
	switch m {
	case DryRunClient:
		return " (dry run)"
	case DryRunServer:
		return " (server dry run)"
	}
	return ""
}
