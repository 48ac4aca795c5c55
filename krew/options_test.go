package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidate(t *testing.T) {
	const ld = "-s -w -X github.com/expose-gw/kubectl-expose-gw/plugin.version=v1.2.3"
	valid := Options{Version: "v1.2.3", ReleaseURL: "https://example.com/r/v1.2.3", LDFlags: ld, Out: "dist", Platforms: DefaultPlatforms}
	for _, tc := range []struct {
		name    string
		mutate  func(*Options)
		wantErr string
	}{
		{"valid", func(*Options) {}, ""},
		{"prerelease", func(o *Options) {
			o.Version, o.LDFlags = "v1.2.3-rc.1", "-X x/plugin.version=v1.2.3-rc.1"
		}, ""},
		{"no v", func(o *Options) { o.Version = "1.2.3" },
			`invalid version "1.2.3": expected a semantic version like v1.2.3 (make dist VERSION=v1.2.3)`},
		{"git describe", func(o *Options) { o.Version = "a615ee2-dirty" },
			`invalid version "a615ee2-dirty": expected a semantic version like v1.2.3 (make dist VERSION=v1.2.3)`},
		{"no url", func(o *Options) { o.ReleaseURL = "" },
			`invalid release URL "": expected an http(s) URL the archives will be downloaded from, like https://github.com/OWNER/REPO/releases/download/v1.2.3`},
		{"file url", func(o *Options) { o.ReleaseURL = "file:///tmp/dist" },
			`invalid release URL "file:///tmp/dist": expected an http(s) URL the archives will be downloaded from, like https://github.com/OWNER/REPO/releases/download/v1.2.3`},
		{"ldflags without the version", func(o *Options) { o.LDFlags = "-s -w" },
			`invalid ldflags "-s -w": expected them to stamp the version (-X <module>/plugin.version=v1.2.3) so the binary prints what the manifest says`},
		{"ldflags with another version", func(o *Options) { o.LDFlags = "-X x/plugin.version=v0.0.1" },
			`invalid ldflags "-X x/plugin.version=v0.0.1": expected them to stamp the version (-X <module>/plugin.version=v1.2.3) so the binary prints what the manifest says`},
		{"no out", func(o *Options) { o.Out = "" }, `invalid output folder "": expected a path`},
		{"no platforms", func(o *Options) { o.Platforms = nil }, `no platforms to build: expected at least one`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := valid
			tc.mutate(&o)
			err := o.Validate()
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tc.wantErr)
		})
	}
}

func TestSourceDateEpoch(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"", defaultMTime, ""},
		{"1700000000", time.Unix(1700000000, 0).UTC(), ""},
		{"yesterday", time.Time{}, `invalid SOURCE_DATE_EPOCH "yesterday": expected seconds since 1970 from 1980-01-01 on (315532800 or more)`},
		{"0", time.Time{}, `invalid SOURCE_DATE_EPOCH "0": expected seconds since 1970 from 1980-01-01 on (315532800 or more)`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := sourceDateEpoch(tc.in)
			if tc.wantErr != "" {
				assert.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.True(t, tc.want.Equal(got), "got %s", got)
		})
	}
}

func TestPlatformNames(t *testing.T) {
	for _, tc := range []struct {
		p                           Platform
		archive, binary, completion string
	}{
		{Platform{"linux", "amd64"}, "kubectl-expose_gw_linux_amd64.tar.gz", "kubectl-expose_gw", "kubectl_complete-expose_gw"},
		{Platform{"darwin", "arm64"}, "kubectl-expose_gw_darwin_arm64.tar.gz", "kubectl-expose_gw", "kubectl_complete-expose_gw"},
		{Platform{"windows", "amd64"}, "kubectl-expose_gw_windows_amd64.zip", "kubectl-expose_gw.exe", "kubectl_complete-expose_gw.cmd"},
	} {
		t.Run(tc.p.OS+"/"+tc.p.Arch, func(t *testing.T) {
			assert.Equal(t, tc.archive, tc.p.Archive())
			assert.Equal(t, tc.binary, tc.p.Binary())
			assert.Equal(t, tc.completion, completionFile(tc.p).Name)
			assert.Equal(t, 0o755, int(completionFile(tc.p).Mode))
		})
	}
	assert.Len(t, DefaultPlatforms, 6)
}

func TestBuildArgsAreReproducible(t *testing.T) {
	args := BuildArgs("-X a=b", "/o/kubectl-expose_gw")
	assert.Contains(t, args, "-trimpath")
	assert.Contains(t, args, "-buildvcs=false")
	assert.Equal(t, []string{"-ldflags", "-X a=b", "-o", "/o/kubectl-expose_gw", "./cmd/kubectl-expose_gw"}, args[3:])
}

func TestParsePlatforms(t *testing.T) {
	got, err := ParsePlatforms("linux/amd64, windows/arm64")
	require.NoError(t, err)
	assert.Equal(t, []Platform{{"linux", "amd64"}, {"windows", "arm64"}}, got)
	_, err = ParsePlatforms("linux/386")
	assert.EqualError(t, err, `invalid platform "linux/386": expected OS/ARCH among linux, darwin, windows and amd64, arm64`)
	_, err = ParsePlatforms("")
	assert.EqualError(t, err, `invalid platform "": expected OS/ARCH among linux, darwin, windows and amd64, arm64`)
}
