package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Options is one release build.
type Options struct {
	Version    string
	ReleaseURL string
	LDFlags    string
	Out        string
	Source     string
	Platforms  []Platform
	MTime      time.Time
}

// semver is what Krew accepts as spec.version.
var semver = regexp.MustCompile(`^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// Validate checks the inputs without touching anything.
func (o *Options) Validate() error {
	if !semver.MatchString(o.Version) {
		return fmt.Errorf("invalid version %q: expected a semantic version like v1.2.3 (make dist VERSION=v1.2.3)", o.Version)
	}
	u, err := url.Parse(o.ReleaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid release URL %q: expected an http(s) URL the archives will be downloaded from, like https://github.com/OWNER/REPO/releases/download/%s", o.ReleaseURL, o.Version)
	}
	if want := "plugin.version=" + o.Version; !strings.Contains(o.LDFlags, want) {
		return fmt.Errorf("invalid ldflags %q: expected them to stamp the version (-X <module>/%s) so the binary prints what the manifest says", o.LDFlags, want)
	}
	if o.Out == "" {
		return fmt.Errorf("invalid output folder %q: expected a path", o.Out)
	}
	if len(o.Platforms) == 0 {
		return fmt.Errorf("no platforms to build: expected at least one")
	}
	return nil
}

// Run builds every platform, writes its archive, then the manifest and the
// checksums. Progress goes to errOut, the list of written files to out.
func (o *Options) Run(ctx context.Context, out, errOut io.Writer) error {
	docs, err := readDocs(o.Source)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("creating the output folder: %w", err)
	}
	work, err := os.MkdirTemp("", "expose-gw-dist-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	base := strings.TrimSuffix(o.ReleaseURL, "/")
	var released []Released
	for _, p := range o.Platforms {
		fmt.Fprintf(errOut, "building %s/%s\n", p.OS, p.Arch)
		bin, err := Build(ctx, o.Source, work, p, o.LDFlags)
		if err != nil {
			return err
		}
		files := append([]File{{Name: p.Binary(), Mode: 0o755, Data: bin}, completionFile(p)}, docs...)
		data, err := p.ArchiveBytes(files, o.MTime)
		if err != nil {
			return fmt.Errorf("archiving %s: %w", p.Archive(), err)
		}
		if err := os.WriteFile(filepath.Join(o.Out, p.Archive()), data, 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		released = append(released, Released{Platform: p, URI: base + "/" + p.Archive(),
			SHA256: hex.EncodeToString(sum[:]), Files: fileNames(files), Size: len(data)})
	}

	manifest, err := RenderManifest(o.Version, released)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.Out, ManifestName), manifest, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.Out, ChecksumsName), Checksums(released), 0o644); err != nil {
		return err
	}
	for _, r := range released {
		fmt.Fprintf(out, "%s  %s  %d bytes\n", r.SHA256, filepath.Join(o.Out, r.Archive()), r.Size)
	}
	fmt.Fprintln(out, filepath.Join(o.Out, ManifestName))
	fmt.Fprintln(out, filepath.Join(o.Out, ChecksumsName))
	return nil
}

// readDocs reads the LICENSE and README.md every archive carries.
func readDocs(source string) ([]File, error) {
	var files []File
	for _, name := range []string{"LICENSE", "README.md"} {
		data, err := os.ReadFile(filepath.Join(source, name))
		if err != nil {
			return nil, fmt.Errorf("reading %s for the archives: %w", name, err)
		}
		files = append(files, File{Name: name, Mode: 0o644, Data: data})
	}
	return files, nil
}

func fileNames(files []File) []string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	return names
}
