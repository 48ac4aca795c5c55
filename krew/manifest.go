package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"text/template"
)

// Output file names in the dist folder. Krew requires the manifest's file
// name to be the plugin's name plus .yaml.
const (
	ManifestName  = "expose-gw.yaml"
	ChecksumsName = "checksums.txt"
	Homepage      = "https://github.com/expose-gw/kubectl-expose-gw"
)

//go:embed expose-gw.yaml.tmpl
var manifestTemplate string

// Released is one platform's published archive.
type Released struct {
	Platform
	URI    string
	SHA256 string // lowercase hex
	Files  []string
	Size   int
}

// Bin is the file Krew links into its bin folder.
func (r Released) Bin() string { return r.Binary() }

// RenderManifest renders krew/expose-gw.yaml.tmpl.
func RenderManifest(version string, platforms []Released) ([]byte, error) {
	t, err := template.New(ManifestName).Option("missingkey=error").Parse(manifestTemplate)
	if err != nil {
		return nil, fmt.Errorf("parsing the manifest template: %w", err)
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, struct {
		Version, Homepage string
		Platforms         []Released
	}{version, Homepage, platforms})
	if err != nil {
		return nil, fmt.Errorf("rendering the manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// Checksums is checksums.txt in the format `sha256sum -c` reads.
func Checksums(platforms []Released) []byte {
	var buf bytes.Buffer
	for _, r := range platforms {
		fmt.Fprintf(&buf, "%s  %s\n", r.SHA256, r.Archive())
	}
	return buf.Bytes()
}
