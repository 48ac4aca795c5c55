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
	// Snapshot, when set, turns on the re-run property: after every
	// operation, re-running an earlier successful expose (the last one of
	// its Service, host and match since the Service's last delete, and
	// since the last --force, which may take routes of others) exits 0,
	// reports every object unchanged, and leaves Snapshot as it was.
	Snapshot func() []string
}

// Run plays sequences of ops operations each (Next, seeded seed, seed+1,
// ...) through kubectl, where every operation must exit 0 or 1, and calls
// check after each with where it is ("seed S op N (ARGS)"); between
// sequences it deletes what the tool made for every Service, so that each
// starts from an empty cluster. It returns the sum of what check returned
// (the routes checked).
func (o PropertyOps) Run(t TB, kubectl func(args ...string) Result, seed int64, sequences, ops int, check func(at string) int) int {
	t.Helper()
	checked, reruns := 0, 0
	for seq := 0; seq < sequences; seq++ {
		s := seed + int64(seq)
		rng := rand.New(rand.NewSource(s))
		var done exposeLog
		picks := rand.New(rand.NewSource(s * 7919)) // apart: the operations drawn stay those of the seed
		for op := 0; op < ops; op++ {
			args := o.Next(rng)
			r := kubectl(args...)
			if !slices.Contains([]int{0, 1}, r.ExitCode) {
				t.Fatalf("seed %d op %d: kubectl %s exited %d, expected 0 or 1: %s", s, op, strings.Join(args, " "), r.ExitCode, r.Stderr)
			}
			at := fmt.Sprintf("seed %d op %d (%s)", s, op, strings.Join(args[1:], " "))
			checked += check(at)
			if o.Snapshot == nil {
				continue
			}
			if r.ExitCode == 0 {
				done.record(args)
			}
			for _, earlier := range done.pick(picks, 2) {
				o.rerun(t, kubectl, at, earlier)
				reruns++
			}
		}
		for _, ns := range o.Namespaces {
			for _, svc := range o.Services {
				kubectl("expose-gw", "-n", ns, "delete", svc)
			}
		}
	}
	if o.Snapshot != nil {
		t.Logf("re-run property: %d re-runs of earlier exposes, each unchanged with no write", reruns)
	}
	return checked
}

// rerun runs args again and checks it changes nothing.
func (o PropertyOps) rerun(t TB, kubectl func(args ...string) Result, at string, args []string) {
	t.Helper()
	before := o.Snapshot()
	r := kubectl(args...)
	after := o.Snapshot()
	if r.ExitCode != 0 {
		t.Errorf("%s: re-running kubectl %s exited %d: %s", at, strings.Join(args, " "), r.ExitCode, r.Stderr)
		return
	}
	for _, l := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		if strings.Contains(l, ".networking.") && !strings.HasSuffix(l, " unchanged") {
			t.Errorf("%s: re-running kubectl %s: %q, expected every object unchanged:\n%s%s", at, strings.Join(args, " "), l, r.Stdout, r.Stderr)
		}
	}
	if !slices.Equal(before, after) {
		t.Errorf("%s: re-running kubectl %s wrote:\nbefore %v\nafter  %v", at, strings.Join(args, " "), before, after)
	}
}

// exposeLog are the successful exposes that a re-run must find in place, by
// namespace, Service, host and match.
type exposeLog struct {
	keys []string
	args map[string][]string
}

// record takes a successful operation.
func (d *exposeLog) record(args []string) {
	ns, svc, flags := args[2], args[3], args[4:]
	if svc == "delete" {
		svc = args[4]
		d.keys = slices.DeleteFunc(d.keys, func(k string) bool { return strings.HasPrefix(k, ns+" "+svc+" ") })
		return
	}
	if slices.Contains(flags, "--force") {
		d.keys = nil
	}
	key := ns + " " + svc + " " + flagValue(flags, "--host") + " " + flagValue(flags, "--prefix") + " " + flagValue(flags, "--exact")
	if d.args == nil {
		d.args = map[string][]string{}
	}
	d.keys = append(slices.DeleteFunc(d.keys, func(k string) bool { return k == key }), key)
	d.args[key] = slices.Clone(args)
}

// pick is up to n of the recorded exposes, the newest first, then random.
func (d *exposeLog) pick(rng *rand.Rand, n int) [][]string {
	if len(d.keys) == 0 {
		return nil
	}
	out := [][]string{d.args[d.keys[len(d.keys)-1]]}
	for len(out) < n && len(d.keys) > 1 {
		out = append(out, d.args[d.keys[rng.Intn(len(d.keys)-1)]])
	}
	return out
}

func flagValue(args []string, name string) string {
	if i := slices.Index(args, name); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
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
