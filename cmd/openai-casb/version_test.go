package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolveVersion(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-01T00:00:00Z"}}
	cases := []struct {
		name                string
		v, c, d             string
		bi                  *debug.BuildInfo
		wantV, wantC, wantD string
	}{
		{"ldflags win", "1.2.3", "fff", "2026-01-01", &debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"}, Settings: vcs}, "1.2.3", "fff", "2026-01-01"},
		{"go install module@version", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.2.0"}}, "0.2.0", "", ""},
		{"a checkout: devel and vcs", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs}, devVersion, "abc123", "2026-12-01T00:00:00Z"},
		{"no build info", "", "", "", nil, devVersion, "", ""},
		{"goreleaser's v prefix", "v1.0.0", "", "", nil, "1.0.0", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, cm, d := resolveVersion(c.v, c.c, c.d, c.bi)
			assert.Equal(t, []string{c.wantV, c.wantC, c.wantD}, []string{v, cm, d})
		})
	}
}

func TestVersionFlags(t *testing.T) {
	defer func(c, d string) { commit, date = c, d }(commit, date)
	commit, date = "0123abc", "2026-12-01T00:00:00Z"
	want := runCLI(t, "", "version")
	require.Equal(t, exitOK, want.code, want.stderr)
	assert.Regexp(t, `^openai-casb 0\.1\.0 \(OPA \d+\.\d+\.\d+, go1\.\d+[^,]*, commit 0123abc, built 2026-12-01T00:00:00Z\)\n$`, want.stdout)
	for _, flag := range []string{"--version", "-v"} {
		r := runCLI(t, "", flag)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, want.stdout, r.stdout, flag)
	}
}
