package testenv

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
)

// What a user expects of a route, for the property tests of both APIs:
// where to send a request for it, and the path its Service should get.

// ProbeRequest is a request for a route of host and match (kind "exact"
// or "prefix", path p): its host ("*" becomes a name no route names, a
// wildcard one name under it) and a path under the match.
func ProbeRequest(host, kind, p string) (string, string) {
	path := p
	if kind == "prefix" {
		path = strings.TrimSuffix(p, "/") + "/probe"
	}
	switch {
	case host == "*":
		host = "no-route-names-me.invalid"
	case strings.HasPrefix(host, "*."):
		host = "w" + host[1:]
	}
	return host, path
}

// RewrittenPath is the path a user expects after --rewrite r of a match
// (kind, p) for a request of path: an exact path becomes r, a prefix p
// is replaced by r ("/env/x" with --rewrite /v2 is "/v2/x").
func RewrittenPath(kind, p, r, path string) string {
	if kind == "exact" {
		return r
	}
	rest := strings.TrimPrefix(path, strings.TrimSuffix(p, "/"))
	if p == "/" {
		rest = path
	}
	return strings.TrimSuffix(r, "/") + rest
}

// PropertyOps draws the property tests' random operations: expose or
// (one in five) delete of a Service of a namespace, with a host, a path
// prefix or (one in four) an exact path, (one in three) a rewrite, and
// --force one in ForceOneIn; Extra goes after SERVICE of an expose.
type PropertyOps struct {
	Namespaces, Services, Hosts, Paths, Extra []string
	ForceOneIn                                int
}

// Run plays sequences of ops operations each (Next, seeded seed, seed+1,
// ...) through kubectl, where every operation must exit 0 or 1, and calls
// check after each with where it is ("seed S op N (ARGS)"); between
// sequences it deletes what the tool made for every Service, so that each
// starts from an empty cluster. It returns the sum of what check returned
// (the routes checked).
func (o PropertyOps) Run(t TB, kubectl func(args ...string) Result, seed int64, sequences, ops int, check func(at string) int) int {
	t.Helper()
	checked := 0
	for seq := 0; seq < sequences; seq++ {
		s := seed + int64(seq)
		rng := rand.New(rand.NewSource(s))
		for op := 0; op < ops; op++ {
			args := o.Next(rng)
			if r := kubectl(args...); !slices.Contains([]int{0, 1}, r.ExitCode) {
				t.Fatalf("seed %d op %d: kubectl %s exited %d, expected 0 or 1: %s", s, op, strings.Join(args, " "), r.ExitCode, r.Stderr)
			}
			checked += check(fmt.Sprintf("seed %d op %d (%s)", s, op, strings.Join(args[1:], " ")))
		}
		for _, ns := range o.Namespaces {
			for _, svc := range o.Services {
				kubectl("expose-gw", "-n", ns, "delete", svc)
			}
		}
	}
	return checked
}

// Next is the kubectl arguments of one operation.
func (o PropertyOps) Next(rng *rand.Rand) []string {
	ns := o.Namespaces[rng.Intn(len(o.Namespaces))]
	svc := o.Services[rng.Intn(len(o.Services))]
	args := []string{"expose-gw", "-n", ns}
	if rng.Intn(5) == 0 {
		return append(args, "delete", svc)
	}
	args = append(append(args, svc), o.Extra...)
	args = append(args, "--host", o.Hosts[rng.Intn(len(o.Hosts))])
	p := o.Paths[rng.Intn(len(o.Paths))]
	if rng.Intn(4) == 0 && p != "/" {
		args = append(args, "--exact", p)
	} else {
		args = append(args, "--prefix", p)
	}
	if rng.Intn(3) == 0 {
		args = append(args, "--rewrite", []string{"/", "/v2"}[rng.Intn(2)])
	}
	if rng.Intn(o.ForceOneIn) == 0 {
		args = append(args, "--force")
	}
	return args
}
