package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/simulator"
)

// A configuration file found in the working directory may come with a
// repository someone else wrote. It may not send the key elsewhere, replace
// the APIs' answers, load policies or let them reach the network: each such
// key is refused (exit 2, naming the file, the line, the key and what to
// do) before anything is sent. The same file named with --config is the
// user's choice and is read; a flag typed on the command line wins over the
// file and is not refused.
func TestFoundConfigCannotRedirectTheKeyOrLoadCode(t *testing.T) {
	src := simulator.Generate(simulator.GenerateOptions{Users: 5, Seed: 3})
	legit, _ := countingSimulator(t, src)
	evil, evilHits := countingSimulator(t, src)
	policies := filepath.Join(t.TempDir(), "pol")
	require.Equal(t, exitOK, runCLI(t, "", "policies", "export", policies).code)
	acmeAbs, err := filepath.Abs(acme)
	require.NoError(t, err)
	recorded := t.TempDir()
	collect := func(extra ...string) []string {
		return append([]string{"collect", "-o", os.DevNull}, extra...)
	}
	cases := []struct {
		key, value string
		args       []string      // the command the key would change
		flag       []string      // the same setting typed on the command line
		sent       *atomic.Int64 // requests the value would receive
	}{
		{"api-base-url", evil, collect("--compliance-base-url", legit), []string{"--api-base-url", evil}, evilHits},
		{"compliance-base-url", evil, collect("--api-base-url", legit), []string{"--compliance-base-url", evil}, evilHits},
		{"replay", recorded, collect(), []string{"--replay", recorded}, nil},
		{"policies", policies, []string{"evaluate", acmeAbs, "-f", "json"}, []string{"--policies", policies}, nil},
		{"extra-policies", customDir(t), []string{"evaluate", acmeAbs, "-f", "json"}, []string{"--extra-policies", policies}, nil},
		{"allow-net", "true", []string{"evaluate", acmeAbs, "-f", "json"}, []string{"--allow-net"}, nil},
	}
	refusal := "not read from a configuration file found in the working directory"
	for _, c := range cases {
		for _, layout := range []struct{ name, body, line string }{
			{"top level", fmt.Sprintf("%s: %s\n", c.key, c.value), "1"},
			{"command section", fmt.Sprintf("format: json\n%s:\n  %s: %s\n", c.args[0], c.key, c.value), "3"},
		} {
			t.Run(c.key+"/"+layout.name, func(t *testing.T) {
				dir := t.TempDir()
				require.NoError(t, os.WriteFile(filepath.Join(dir, defaultConfigFile), []byte(layout.body), 0o600))
				t.Chdir(dir)
				if c.sent != nil {
					c.sent.Store(0)
				}

				r := runEnv(t, simEnv(src), "", c.args...)
				assert.Equal(t, exitError, r.code, r.stderr)
				assert.Contains(t, r.stderr, fmt.Sprintf("openai-casb.yaml:%s: %s: %s", layout.line, c.key, refusal))
				assert.Contains(t, r.stderr, fmt.Sprintf("Pass --%s on the command line, or name the file with --config openai-casb.yaml if you trust it", c.key))
				if c.sent != nil {
					assert.Zero(t, c.sent.Load(), "nothing was sent to the file's server")
				}

				// Named with --config, the file is the user's choice.
				r = runEnv(t, simEnv(src), "", append([]string{"--config", defaultConfigFile}, c.args...)...)
				assert.NotContains(t, r.stderr, refusal)
				if c.key != "replay" { // an empty recording is its own error
					assert.Equal(t, exitOK, r.code, r.stderr)
				}
				if c.sent != nil {
					assert.Positive(t, c.sent.Load(), "the named file's server was used")
				}

				// Typed on the command line, the setting is the user's.
				r = runEnv(t, simEnv(src), "", append(c.args, c.flag...)...)
				assert.NotContains(t, r.stderr, refusal)
			})
		}
	}
}

// Every other key may come from a found file: the audit of the flags
// keeps them (they change what is reported or where it is written, not
// where the key goes or what runs).
func TestFoundConfigKeepsTheOtherKeys(t *testing.T) {
	for key := range trustedOnly {
		assert.False(t, isSecretKey(key), "%s is refused as a setting, not as a secret", key)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data.yaml")
	require.NoError(t, os.WriteFile(data, []byte("admin_key_rotation_days: 160\n"), 0o600))
	body := strings.Join([]string{"format: json", "severity: [high, critical]", "fail-on: none", "data: data.yaml", "eval-timeout: 5m", "concurrency: 2", ""}, "\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, defaultConfigFile), []byte(body), 0o600))
	acmeAbs, err := filepath.Abs(acme)
	require.NoError(t, err)
	t.Chdir(dir)
	r := runCLI(t, "", "evaluate", acmeAbs)
	require.Equal(t, exitOK, r.code, r.stderr)
	sev := severitiesOf(t, r.stdout)
	require.NotEmpty(t, sev)
	assert.Subset(t, []string{"critical", "high"}, keys(sev), "the file's severity applies")
}

// notify's file:PATH is a path a found file may bring, holding a URL of
// its own: the findings (names, emails, what is at risk) would be posted
// there. So notify is refused from a found file, and read from a named one
// or the command line.
func TestFoundConfigCannotChooseWhereFindingsArePosted(t *testing.T) {
	acmeAbs, err := filepath.Abs(acme)
	require.NoError(t, err)
	for _, layout := range []struct{ name, body, line string }{
		{"top level", "notify: file:hook.url\n", "1"},
		{"command section", "format: json\nevaluate:\n  notify: [file:hook.url]\n", "3"},
	} {
		t.Run(layout.name, func(t *testing.T) {
			h := newHook(t)
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "hook.url"), []byte(h.secretURL()+"\n"), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(dir, defaultConfigFile), []byte(layout.body), 0o600))
			t.Chdir(dir)
			args := []string{"evaluate", acmeAbs, "-f", "json", "--fail-on", "high"}

			r := runCLI(t, "", args...)
			assert.Equal(t, exitError, r.code, r.stderr)
			assert.Contains(t, r.stderr, "openai-casb.yaml:"+layout.line+": notify: not read from a configuration file found in the working directory: it could post the findings to a webhook of its own")
			assert.Contains(t, r.stderr, "Pass --notify on the command line, or name the file with --config openai-casb.yaml if you trust it")
			assert.Zero(t, len(h.bodies), "nothing was posted")

			r = runCLI(t, "", append([]string{"--config", defaultConfigFile}, args...)...)
			assert.Equal(t, exitFindings, r.code, r.stderr)
			assert.Equal(t, 1, len(h.bodies), "the named file's webhook was posted to")

			r = runCLI(t, "", append(args, "--notify", "file:hook.url")...)
			assert.Equal(t, exitFindings, r.code, r.stderr)
			assert.Equal(t, 2, len(h.bodies), "the typed webhook was posted to")
		})
	}
}
