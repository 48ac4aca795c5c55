// Command binsize prints what each module contributes to Go binaries, side
// by side: the sizes of their ELF symbols (code, read-only data, data; bss
// takes no file space and is left out; each symbol once) summed per module,
// then the file size of each binary's stripped twin when given as
// NAME=UNSTRIPPED[:STRIPPED]. It reads what `go tool nm -size` reads.
//
//	go run ./test/bench/binsize before=full-old:stripped-old after=full-new:stripped-new
package main

import (
	"debug/elf"
	"fmt"
	"os"
	"sort"
	"strings"
)

// column is one binary's sums.
type column struct {
	name     string
	modules  map[string]int64
	total    int64
	pclntab  int64 // .gopclntab, the function tables
	stripped int64
}

func main() {
	var cols []column
	for _, arg := range os.Args[1:] {
		name, paths, ok := strings.Cut(arg, "=")
		if !ok {
			fail(fmt.Errorf("invalid argument %q: expected NAME=UNSTRIPPED[:STRIPPED]", arg))
		}
		full, stripped, _ := strings.Cut(paths, ":")
		c, err := read(name, full)
		if err != nil {
			fail(err)
		}
		if stripped != "" {
			fi, err := os.Stat(stripped)
			if err != nil {
				fail(err)
			}
			c.stripped = fi.Size()
		}
		cols = append(cols, c)
	}
	if len(cols) == 0 {
		fail(fmt.Errorf("no binary given: expected NAME=UNSTRIPPED[:STRIPPED] arguments"))
	}
	print(cols)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}

func read(name, path string) (column, error) {
	f, err := elf.Open(path)
	if err != nil {
		return column{}, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return column{}, fmt.Errorf("reading the symbols of %s (an unstripped build?): %w", path, err)
	}
	c := column{name: name, modules: map[string]int64{}}
	if s := f.Section(".gopclntab"); s != nil {
		c.pclntab = int64(s.Size)
	}
	type key struct{ value, size uint64 }
	seen := map[key]bool{}
	for _, s := range syms {
		if s.Section == elf.SHN_UNDEF || int(s.Section) >= len(f.Sections) || s.Size == 0 {
			continue
		}
		if f.Sections[s.Section].Type == elf.SHT_NOBITS {
			continue
		}
		k := key{s.Value, s.Size}
		if seen[k] {
			continue
		}
		seen[k] = true
		m := module(s.Name)
		c.modules[m] += int64(s.Size)
		c.total += int64(s.Size)
	}
	return c, nil
}

// module is the module a symbol belongs to, from its package path.
func module(sym string) string {
	if sym == "go:func.*" {
		return "function metadata of all packages (go:func.*)"
	}
	for _, p := range []string{"type:.eq.", "type:.namedata.", "type:", "go:itab.", "go:"} {
		if strings.HasPrefix(sym, p) {
			sym = sym[len(p):]
			break
		}
	}
	sym = strings.TrimLeft(sym, "*[]0123456789")
	parts := strings.Split(sym, "/")
	if len(parts) == 1 || !strings.Contains(parts[0], ".") {
		return "Go standard library and runtime"
	}
	depth := 2
	switch parts[0] {
	case "github.com", "golang.org", "gopkg.in":
		depth = 3
	}
	if depth > len(parts) {
		depth = len(parts)
	}
	last := parts[depth-1]
	if depth == len(parts) {
		last, _, _ = strings.Cut(last, ".")
	}
	return strings.Join(append(parts[:depth-1:depth-1], last), "/")
}

// print writes the Markdown table: modules of 0.2 MB or more in some
// column, by their largest column; the rest summed.
func print(cols []column) {
	const small = 200_000
	largest := map[string]int64{}
	for _, c := range cols {
		for m, v := range c.modules {
			largest[m] = max(largest[m], v)
		}
	}
	var mods []string
	for m, v := range largest {
		if v >= small {
			mods = append(mods, m)
		}
	}
	sort.Slice(mods, func(i, j int) bool { return largest[mods[i]] > largest[mods[j]] })
	mb := func(v int64) string { return fmt.Sprintf("%.2f", float64(v)/1e6) }
	row := func(name string, cell func(column) string) {
		fmt.Printf("| %-46s |", name)
		for _, c := range cols {
			fmt.Printf(" %10s |", cell(c))
		}
		fmt.Println()
	}
	row("MB per module (symbols)", func(c column) string { return c.name })
	fmt.Printf("|%s|", strings.Repeat("-", 48))
	for range cols {
		fmt.Printf("%s:|", strings.Repeat("-", 11))
	}
	fmt.Println()
	for _, m := range mods {
		row(m, func(c column) string { return mb(c.modules[m]) })
	}
	row("other modules (under 0.2 MB each)", func(c column) string {
		var o int64
		for m, v := range c.modules {
			if largest[m] < small {
				o += v
			}
		}
		return mb(o)
	})
	row("**all symbols**", func(c column) string { return mb(c.total) })
	row(".gopclntab (function tables, per function)", func(c column) string { return mb(c.pclntab) })
	row("**stripped binary (file size)**", func(c column) string { return mb(c.stripped) })
}
