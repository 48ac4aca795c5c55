// Command krew builds the release of kubectl expose-gw: one archive per
// platform (the plugin, LICENSE, README.md and the completion helper), the
// Krew manifest dist/expose-gw.yaml and dist/checksums.txt. Archives are
// reproducible: the same sources, Go toolchain and flags give the same bytes.
//
//	go run ./krew -version v1.2.3 -ldflags "-X .../plugin.version=v1.2.3 ..." \
//	    -release-url https://example.com/releases/v1.2.3 -out dist
//
// `make dist VERSION=v1.2.3 RELEASE_URL=...` runs it with the Makefile's flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"
)

func main() {
	o := Options{Source: ".", Platforms: DefaultPlatforms}
	flag.StringVar(&o.Version, "version", "", "release version, a semantic version like v1.2.3")
	flag.StringVar(&o.ReleaseURL, "release-url", "", "base URL the archives are downloaded from (the manifest's uri is RELEASE_URL/<archive>)")
	flag.StringVar(&o.LDFlags, "ldflags", "", "-ldflags for go build; must stamp plugin.version with -version")
	flag.StringVar(&o.Out, "out", "dist", "folder to write the archives, expose-gw.yaml and checksums.txt into")
	flag.StringVar(&o.Source, "source", o.Source, "root of the module to build")
	flag.Func("platforms", "comma-separated OS/ARCH list to build instead of all six (for a quick local try)", func(v string) error {
		p, err := ParsePlatforms(v)
		o.Platforms = p
		return err
	})
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected argument %q: all inputs are flags (see -help)", flag.Arg(0)))
	}
	mtime, err := sourceDateEpoch(os.Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		fail(err)
	}
	o.MTime = mtime
	if err := o.Validate(); err != nil {
		fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := o.Run(ctx, os.Stdout, os.Stderr); err != nil {
		stop()
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}

// defaultMTime is the time stamped on every archived file when
// SOURCE_DATE_EPOCH is not set: 1980-01-01, the earliest a zip can hold.
var defaultMTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// sourceDateEpoch parses SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/).
func sourceDateEpoch(v string) (time.Time, error) {
	if v == "" {
		return defaultMTime, nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec < defaultMTime.Unix() {
		return time.Time{}, fmt.Errorf("invalid SOURCE_DATE_EPOCH %q: expected seconds since 1970 from 1980-01-01 on (%d or more)", v, defaultMTime.Unix())
	}
	return time.Unix(sec, 0).UTC(), nil
}
