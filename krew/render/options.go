package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// GitHubReleases is where the template names the archives: the release of
// tag TAG is GitHubReleases/TAG, as krew-release-bot downloads them.
const GitHubReleases = "https://github.com/expose-gw/kubectl-expose-gw/releases/download"

// Options is one rendering of the Krew manifest.
type Options struct {
	Template   string // krew/expose-gw.yaml
	Version    string // the tag, vX.Y.Z
	ReleaseURL string // base URL the archives are downloaded from
	Checksums  string // goreleaser's checksums.txt
	Out        string // the manifest to write; its name must be metadata.name + ".yaml"
	Check      bool   // validate Version and ReleaseURL only
}

// semver is what Krew accepts as spec.version (and goreleaser as a tag).
var semver = regexp.MustCompile(`^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// Validate checks the inputs without reading anything.
func (o *Options) Validate() error {
	if !semver.MatchString(o.Version) {
		return fmt.Errorf("invalid version %q: expected a semantic version like v1.2.3 (make dist VERSION=v1.2.3)", o.Version)
	}
	u, err := url.Parse(o.ReleaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("invalid release URL %q: expected the http(s) URL the archives are downloaded from, like %s/%s", o.ReleaseURL, GitHubReleases, o.Version)
	}
	if o.Check {
		return nil
	}
	for _, f := range []struct{ flag, value string }{{"-template", o.Template}, {"-checksums", o.Checksums}, {"-out", o.Out}} {
		if f.value == "" {
			return fmt.Errorf("missing %s: expected a file path", f.flag)
		}
	}
	return nil
}

// Run renders the template with the checksums into Out, and prints what it
// wrote to out.
func (o *Options) Run(out io.Writer) error {
	text, err := os.ReadFile(o.Template)
	if err != nil {
		return fmt.Errorf("reading the template: %w", err)
	}
	data, err := os.ReadFile(o.Checksums)
	if err != nil {
		return fmt.Errorf("reading the checksums: %w", err)
	}
	sums, err := ParseChecksums(o.Checksums, data)
	if err != nil {
		return err
	}
	manifest, err := Render(filepath.Base(o.Template), text, Release{
		Tag:          o.Version,
		TemplateBase: GitHubReleases + "/" + o.Version,
		ReleaseURL:   strings.TrimSuffix(o.ReleaseURL, "/"),
		Sums:         sums,
	})
	if err != nil {
		return err
	}
	n, err := checkManifest(manifest, filepath.Base(o.Out), o.Version)
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.Out, manifest, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %s for %d platforms from %s\n", o.Out, o.Version, n, o.ReleaseURL)
	return nil
}

// checkManifest reads what krew-release-bot reads of the rendered manifest
// (its name) and what krew-index requires of the file: named after the
// plugin, the tag as its version. It returns the number of platforms.
func checkManifest(manifest []byte, fileName, version string) (int, error) {
	var p struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			Version   string `json:"version"`
			Platforms []any  `json:"platforms"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(manifest, &p); err != nil {
		return 0, fmt.Errorf("the rendered manifest is not YAML: %w", err)
	}
	if want := p.Metadata.Name + ".yaml"; fileName != want {
		return 0, fmt.Errorf("invalid output file name %q: expected %q, the plugin's name (metadata.name) plus .yaml, as Krew requires", fileName, want)
	}
	if p.Spec.Version != version {
		return 0, fmt.Errorf("invalid spec.version %q in the rendered manifest: expected the tag %q (.TagName)", p.Spec.Version, version)
	}
	return len(p.Spec.Platforms), nil
}
