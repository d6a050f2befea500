package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/urfave/cli/v2"

	"github.com/openai-casb/openai-casb/simulator"
)

// A configuration file found in the working directory may name the files
// the tool writes, but only inside that directory: an absolute path, a ..
// leading out, or a symbolic link (a parent or the file itself) leading
// out is refused before anything is written, and the file outside is left
// as it was. The same value from a file named with --config, or the flag
// typed on the command line, is the user's and is written.
func TestFoundConfigWritesOnlyInsideTheWorkingDirectory(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 5, Seed: 3})
	base := startSimulator(t, src, simulator.Options{})
	urls := []string{"--api-base-url", base, "--compliance-base-url", base}
	acmeAbs, err := filepath.Abs(acme)
	require.NoError(t, err)
	keys := []struct {
		key  string
		args []string // the command writing it, with what it needs
		dir  bool     // the path is a directory the command creates
		spec string   // the value for a path, as a format string
	}{
		{key: "output", args: []string{"evaluate", acmeAbs, "-f", "json"}},
		{key: "output", args: append([]string{"collect"}, urls...)},
		{key: "output-format", args: []string{"evaluate", acmeAbs, "-f", "json"}, spec: "json=%s"},
		{key: "save-inventory", args: append([]string{"scan", "-f", "json", "-o", os.DevNull}, urls...)},
		{key: "state", args: append([]string{"collect", "-o", os.DevNull}, urls...)},
		{key: "record", args: append([]string{"collect", "-o", os.DevNull}, urls...), dir: true},
		{key: "generate-inventory", args: []string{"simulate", "--users", "3"}},
	}
	const precious = "precious, not openai-casb's\n"
	// Each case runs in base/work, with base/outside beside it holding
	// the one entry a refused write must leave as it was: target.
	type place struct{ work, outside, target string }
	setup := func(t *testing.T, dir bool) place {
		b := t.TempDir()
		p := place{work: filepath.Join(b, "work"), outside: filepath.Join(b, "outside")}
		p.target = filepath.Join(p.outside, "target")
		require.NoError(t, os.MkdirAll(filepath.Join(p.work, "sub"), 0o755))
		require.NoError(t, os.MkdirAll(p.outside, 0o755))
		if dir { // a recording goes into a new or empty directory
			require.NoError(t, os.Mkdir(p.target, 0o700))
		} else {
			require.NoError(t, os.WriteFile(p.target, []byte(precious), 0o600))
		}
		require.NoError(t, os.Symlink(p.outside, filepath.Join(p.work, "out")))
		require.NoError(t, os.Symlink(p.target, filepath.Join(p.work, "target-link")))
		require.NoError(t, os.Symlink("sub", filepath.Join(p.work, "in")))
		return p
	}
	untouched := func(t *testing.T, p place, dir bool) {
		t.Helper()
		entries, err := os.ReadDir(p.outside)
		require.NoError(t, err)
		require.Len(t, entries, 1, "nothing new outside")
		if dir {
			inner, err := os.ReadDir(p.target)
			require.NoError(t, err)
			assert.Empty(t, inner, "nothing recorded outside")
			return
		}
		got, err := os.ReadFile(p.target)
		require.NoError(t, err)
		assert.Equal(t, precious, string(got), "the file outside is untouched")
	}
	written := func(t *testing.T, path string, dir bool) {
		t.Helper()
		st, err := os.Stat(path)
		require.NoError(t, err, "written")
		if dir {
			inner, err := os.ReadDir(path)
			require.NoError(t, err)
			assert.NotEmpty(t, inner, "recorded")
			return
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.NotEqual(t, precious, string(got), "replaced")
		assert.Positive(t, st.Size())
	}
	refusals := []struct {
		name string
		path func(place) string
	}{
		{"absolute", func(p place) string { return p.target }},
		{"dotdot", func(place) string { return "../outside/target" }},
		{"dotdot after a directory", func(place) string { return "sub/../../outside/new" }},
		{"parent links out", func(place) string { return "out/new" }},
		{"file links out", func(place) string { return "target-link" }},
	}
	allowed := []struct {
		name, path, lands string // the value, and where it is written below work
	}{
		{"plain relative", "new", "new"},
		{"link staying inside", "in/new", "sub/new"},
	}
	refusal := "not read from a configuration file found in the working directory: it would write outside it ("

	for _, k := range keys {
		spec := k.spec
		if spec == "" {
			spec = "%s"
		}
		for _, layout := range []struct {
			name, line string
			body       func(value string) string
		}{
			{"top level", "1", func(v string) string { return fmt.Sprintf("%s: %q\n", k.key, v) }},
			{"command section", "3", func(v string) string {
				return fmt.Sprintf("fail-on: none\n%s:\n  %s: %q\n", k.args[0], k.key, v)
			}},
		} {
			prefix := k.args[0] + "/" + k.key + "/" + layout.name + "/"
			for _, c := range refusals {
				t.Run(prefix+c.name, func(t *testing.T) {
					p := setup(t, k.dir)
					require.NoError(t, os.WriteFile(filepath.Join(p.work, defaultConfigFile), []byte(layout.body(fmt.Sprintf(spec, c.path(p)))), 0o600))
					t.Chdir(p.work)
					r := runEnv(t, simEnv(src), "", k.args...)
					assert.Equal(t, exitError, r.code, r.stderr)
					assert.Contains(t, r.stderr, fmt.Sprintf("openai-casb.yaml:%s: %s: %s%s: ", layout.line, k.key, refusal, c.path(p)))
					assert.Contains(t, r.stderr, fmt.Sprintf("). Pass --%s on the command line, or name the file with --config openai-casb.yaml if you trust it", k.key))
					untouched(t, p, k.dir)
				})
			}
			for _, c := range allowed {
				t.Run(prefix+c.name, func(t *testing.T) {
					p := setup(t, k.dir)
					require.NoError(t, os.WriteFile(filepath.Join(p.work, defaultConfigFile), []byte(layout.body(fmt.Sprintf(spec, c.path))), 0o600))
					t.Chdir(p.work)
					r := runEnv(t, simEnv(src), "", k.args...)
					require.Equal(t, exitOK, r.code, r.stderr)
					written(t, filepath.Join(p.work, c.lands), k.dir)
					untouched(t, p, k.dir)
				})
			}
			t.Run(prefix+"named with --config", func(t *testing.T) {
				p := setup(t, k.dir)
				require.NoError(t, os.WriteFile(filepath.Join(p.work, defaultConfigFile), []byte(layout.body(fmt.Sprintf(spec, p.target))), 0o600))
				t.Chdir(p.work)
				r := runEnv(t, simEnv(src), "", append([]string{"--config", defaultConfigFile}, k.args...)...)
				require.Equal(t, exitOK, r.code, r.stderr)
				written(t, p.target, k.dir)
			})
			t.Run(prefix+"the flag typed wins", func(t *testing.T) {
				p := setup(t, k.dir)
				require.NoError(t, os.WriteFile(filepath.Join(p.work, defaultConfigFile), []byte(layout.body(fmt.Sprintf(spec, p.target))), 0o600))
				t.Chdir(p.work)
				r := runEnv(t, simEnv(src), "", append(k.args, "--"+k.key, fmt.Sprintf(spec, "typed"))...)
				require.Equal(t, exitOK, r.code, r.stderr)
				written(t, filepath.Join(p.work, "typed"), k.dir)
				untouched(t, p, k.dir)
			})
		}
	}
}

// Every flag that takes a value was audited for what a found file could
// do with it. A new flag fails here until it is put in writePaths,
// trustedOnly, or one of the lists below with why.
func TestEveryPathFlagIsAudited(t *testing.T) {
	// Paths only read. A found file may name any: what is read is not
	// sent anywhere the file chooses, and what of it reaches the report
	// or an error is a report of openai-casb (baseline), a waiver or a
	// threshold the file could as well have written itself.
	readPaths := map[string]string{
		"baseline":            "an earlier json or sarif report; its findings appear in the report as absent",
		"waivers":             "a waivers file; only waivers in openai-casb's shape are read",
		"data":                "thresholds; only an object of them is read",
		"admin-key-file":      "the key is sent only to the base URLs, which a found file cannot set",
		"compliance-key-file": "the key is sent only to the base URLs, which a found file cannot set",
		"key-file":            "simulate: the key the simulator accepts, never printed",
	}
	// Values that are not paths.
	notPaths := []string{"config", "format", "severity", "fail-on", "now", "only", "skip", "framework", "profile", "min-confidence",
		"run", "as", "shapes", "forbid", "addr", "sarif-root"}
	audited := map[string]bool{}
	for _, m := range []map[string]string{readPaths, trustedOnly} {
		for k := range m {
			audited[k] = true
		}
	}
	for k := range writePaths {
		audited[k] = true
	}
	for _, k := range notPaths {
		audited[k] = true
	}
	app := newApp(&env{})
	var walk func(where string, flags []cli.Flag, cmds []*cli.Command)
	walk = func(where string, flags []cli.Flag, cmds []*cli.Command) {
		for _, f := range flags {
			switch f.(type) {
			case *cli.BoolFlag, *cli.IntFlag, *cli.Int64Flag, *cli.Uint64Flag, *cli.Float64Flag, *cli.DurationFlag:
				continue
			}
			assert.True(t, audited[f.Names()[0]], "%s --%s: say what a configuration file found in the working directory may do with it", where, f.Names()[0])
		}
		for _, c := range cmds {
			walk(where+" "+c.Name, c.Flags, c.Subcommands)
		}
	}
	walk(toolName, app.Flags, app.Commands)
}
