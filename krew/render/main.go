// Command render renders the Krew manifest template krew/expose-gw.yaml
// offline, exactly as krew-release-bot renders it on a release: .TagName is
// the version, and addURIAndSha "<GitHub release URL of the archive>"
// .TagName becomes the archive's uri and sha256, here taken from
// goreleaser's checksums.txt and with the GitHub release URL replaced by
// -release-url (a local server in the tests).
//
//	go run ./krew/render -version v1.2.3 -release-url https://example.com/v1.2.3 \
//	    -checksums dist/checksums.txt -out dist/expose-gw.yaml
//
// With -check it only validates -version and -release-url (make dist runs
// that before the build, so bad input fails in a second).
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	o := Options{Template: "krew/expose-gw.yaml"}
	flag.StringVar(&o.Template, "template", o.Template, "the krew-release-bot template to render")
	flag.StringVar(&o.Version, "version", "", "the release's tag, a semantic version like v1.2.3 (.TagName)")
	flag.StringVar(&o.ReleaseURL, "release-url", "", "base URL the archives are downloaded from: each uri is RELEASE_URL/<archive>")
	flag.StringVar(&o.Checksums, "checksums", "", "goreleaser's checksums.txt of the archives")
	flag.StringVar(&o.Out, "out", "", "the manifest to write, named after the plugin: expose-gw.yaml")
	flag.BoolVar(&o.Check, "check", false, "only validate -version and -release-url")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected argument %q: all inputs are flags (see -help)", flag.Arg(0)))
	}
	if err := o.Validate(); err != nil {
		fail(err)
	}
	if o.Check {
		return
	}
	if err := o.Run(os.Stdout); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}
