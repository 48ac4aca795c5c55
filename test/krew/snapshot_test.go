package krew_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// snapshotSources copies into dst what a commit of root would hold now:
// the tracked files as they are in the working tree (uncommitted edits
// included, deleted files left out) and the untracked files git does not
// ignore; then commits them there as one commit by a fixed author, dated
// like root's HEAD. goreleaser needs a git checkout (it dates the binaries
// and archived files with the commit's time); two snapshots of the same
// sources are the same commit whatever their path or the hour, so a
// difference between two builds comes from the build. The snapshot has no
// remote, like a fresh `git init`: make dist copes with that.
func snapshotSources(root, dst string) error {
	list, err := git(root, nil, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return err
	}
	for _, rel := range strings.Split(strings.TrimRight(list, "\x00"), "\x00") {
		if err := copyFile(filepath.Join(root, rel), filepath.Join(dst, rel)); err != nil {
			return err
		}
	}
	date, err := git(root, nil, "log", "-1", "--format=%cI")
	if err != nil {
		return err
	}
	author := []string{
		"GIT_AUTHOR_NAME=release test", "GIT_AUTHOR_EMAIL=release-test@expose-gw.invalid", "GIT_AUTHOR_DATE=" + date,
		"GIT_COMMITTER_NAME=release test", "GIT_COMMITTER_EMAIL=release-test@expose-gw.invalid", "GIT_COMMITTER_DATE=" + date,
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", "snapshot of the sources for make dist"},
	} {
		if _, err := git(dst, author, args...); err != nil {
			return err
		}
	}
	return disownArchived(dst)
}

// copyFile copies a regular file or a symlink; anything else, or a file
// deleted since it was committed, is left out.
func copyFile(src, dst string) error {
	info, err := os.Lstat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	case info.Mode().IsRegular():
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, info.Mode().Perm()|0o200)
	}
	return nil
}

// disownArchived gives the files the archives hold besides the binary to
// nobody (65534) when the tests run as root: the archives' root:root then
// comes from .goreleaser.yaml, not from who ran the build.
func disownArchived(dir string) error {
	if os.Getuid() != 0 {
		return nil
	}
	for _, name := range []string{"LICENSE", "README.md", "krew/kubectl_complete-expose_gw", "krew/kubectl_complete-expose_gw.cmd"} {
		if err := os.Lchown(filepath.Join(dir, name), 65534, 65534); err != nil {
			return err
		}
	}
	return nil
}

// git runs git in dir with env added to the environment and returns its
// output without the trailing newline.
func git(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s in %s: %w: %s", strings.Join(args, " "), dir, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSuffix(string(out), "\n"), nil
}
