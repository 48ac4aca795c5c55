package main

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// checksumLine is a line of `sha256sum` output as goreleaser writes it:
// 64 lowercase hex digits, two spaces (or a space and * for binary mode), a
// file name.
var checksumLine = regexp.MustCompile(`^([0-9a-f]{64}) [ *]([^/\\]+)$`)

// ParseChecksums reads checksums.txt (path names it in errors) into file
// name -> sha256.
func ParseChecksums(path string, data []byte) (map[string]string, error) {
	sums := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		m := checksumLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("invalid line %d of %s %q: expected `<sha256 in lowercase hex>  <file name>` as sha256sum prints", i+1, path, line)
		}
		if _, dup := sums[m[2]]; dup {
			return nil, fmt.Errorf("invalid line %d of %s %q: %s is listed twice, expected once", i+1, path, line, m[2])
		}
		sums[m[2]] = m[1]
	}
	return sums, nil
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
