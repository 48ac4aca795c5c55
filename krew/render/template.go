package main

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// Release is what a rendering knows of one release: its tag, where its
// archives are named in the template (TemplateBase, the GitHub release of
// the tag), where they are really downloaded from (ReleaseURL) and their
// sha256 sums by file name.
type Release struct {
	Tag          string
	TemplateBase string // e.g. https://github.com/OWNER/REPO/releases/download/TAG
	ReleaseURL   string // no trailing slash
	Sums         map[string]string
}

// Values are the template's data. krew-release-bot passes its
// ReleaseRequest, whose other fields (PluginOwner, PluginRepo, ...) it fills
// from the CI environment: only TagName is offered here, so a template using
// another one fails offline instead of rendering differently.
type Values struct {
	TagName string
}

// Render executes a krew-release-bot template (pkg/source/template.go of
// github.com/rajatjindal/krew-release-bot, RenderTemplate) with the bot's
// functions: indent, and addURIAndSha whose URL argument is itself a
// template of .TagName. The bot downloads that URL for its sha256; here the
// URL must name an archive of r under r.TemplateBase, its sum comes from
// r.Sums and the uri written is r.ReleaseURL plus the archive's name.
func Render(name string, text []byte, r Release) ([]byte, error) {
	used := map[string]bool{}
	t := template.New(name).Funcs(template.FuncMap{
		"indent": indent,
		"addURIAndSha": func(url, tag string) (string, error) {
			archive, err := r.archive(url, tag)
			if err != nil {
				return "", err
			}
			used[archive] = true
			return fmt.Sprintf("uri: %s\n    sha256: %s", r.ReleaseURL+"/"+archive, r.Sums[archive]), nil
		},
	})
	if _, err := t.Parse(string(text)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, Values{TagName: r.Tag}); err != nil {
		return nil, err
	}
	for _, archive := range sortedKeys(r.Sums) {
		if !used[archive] && isArchive(archive) {
			return nil, fmt.Errorf("archive %q of the checksums is in no addURIAndSha of %s: expected every archive released to be installable", archive, name)
		}
	}
	return buf.Bytes(), nil
}

// archive resolves addURIAndSha's arguments to the name of an archive of r.
func (r Release) archive(url, tag string) (string, error) {
	ut, err := template.New("url").Parse(url)
	if err != nil {
		return "", fmt.Errorf("addURIAndSha URL %q: %w", url, err)
	}
	var buf bytes.Buffer
	if err := ut.Execute(&buf, Values{TagName: tag}); err != nil {
		return "", fmt.Errorf("addURIAndSha URL %q: %w", url, err)
	}
	u := buf.String()
	archive, ok := strings.CutPrefix(u, r.TemplateBase+"/")
	if !ok || archive == "" || strings.Contains(archive, "/") {
		return "", fmt.Errorf("invalid addURIAndSha URL %q: expected %s/<archive>", u, r.TemplateBase)
	}
	if _, ok := r.Sums[archive]; !ok {
		return "", fmt.Errorf("archive %q is not in the checksums: expected one of %s", archive, strings.Join(sortedKeys(r.Sums), ", "))
	}
	return archive, nil
}

// indent is the bot's: for backward compatibility it first undoes the four
// spaces addURIAndSha puts before sha256.
func indent(spaces int, v string) string {
	v = strings.ReplaceAll(v, "    sha256:", "sha256:")
	pad := strings.Repeat(" ", spaces)
	return strings.TrimSpace(pad + strings.ReplaceAll(v, "\n", "\n"+pad))
}

func isArchive(name string) bool {
	return strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".zip")
}
