package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "openai-casb.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

// severitiesOf reads the severities of a JSON report's findings.
func severitiesOf(t *testing.T, stdout string) map[string]int {
	t.Helper()
	var doc struct {
		Findings []struct {
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc), stdout)
	out := map[string]int{}
	for _, f := range doc.Findings {
		out[f.Severity]++
	}
	return out
}

func TestConfigFile(t *testing.T) {
	all := runCLI(t, "", "evaluate", acme, "--format", "json")
	require.Equal(t, exitOK, all.code, all.stderr)
	require.Greater(t, severitiesOf(t, all.stdout)["high"], 0)
	require.Greater(t, severitiesOf(t, all.stdout)["medium"], 0)

	t.Run("top-level values apply", func(t *testing.T) {
		cfg := writeConfig(t, "format: json\nseverity: [high]\nfail-on: high\n")
		r := runCLI(t, "", "--config", cfg, "evaluate", acme)
		assert.Equal(t, exitFindings, r.code, r.stderr)
		assert.Equal(t, map[string]int{"high": severitiesOf(t, all.stdout)["high"]}, severitiesOf(t, r.stdout))
	})
	t.Run("a command section wins over the top level", func(t *testing.T) {
		cfg := writeConfig(t, "format: table\nevaluate:\n  format: json\n  severity: medium\n")
		r := runCLI(t, "", "evaluate", acme, "--config", cfg)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, []string{"medium"}, keys(severitiesOf(t, r.stdout)))
	})
	t.Run("the command line wins over the file", func(t *testing.T) {
		cfg := writeConfig(t, "format: table\nfail-on: low\n")
		r := runCLI(t, "", "--config", cfg, "evaluate", acme, "-f", "json", "--fail-on", "none")
		require.Equal(t, exitOK, r.code, r.stderr)
		severitiesOf(t, r.stdout) // JSON, not the file's table
	})
	t.Run("a list of output-format values writes each report", func(t *testing.T) {
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.csv")
		cfg := writeConfig(t, "output-format: [json="+a+", csv="+b+"]\n")
		r := runCLI(t, "", "--config", cfg, "evaluate", acme, "-f", "json", "--fail-on", "none")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.FileExists(t, a)
		assert.FileExists(t, b)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Len(t, entries, 2, "one file per item, not the items joined into one name")
	})
	t.Run("openai-casb.yaml in the working directory", func(t *testing.T) {
		abs, err := filepath.Abs(acme)
		require.NoError(t, err)
		dir := filepath.Dir(writeConfig(t, "format: json\n"))
		t.Chdir(dir)
		r := runCLI(t, "", "evaluate", abs)
		require.Equal(t, exitOK, r.code, r.stderr)
		severitiesOf(t, r.stdout)
	})

	errs := []struct {
		name, body, want string
	}{
		{"unknown key", "fromat: json\n", `openai-casb.yaml:1: unknown key "fromat": not a flag of any command (did you mean format?)`},
		{"unknown key of a section", "evaluate:\n  dlp: true\n", `openai-casb.yaml:2: unknown key "dlp": not a flag of evaluate`},
		{"a secret", "admin-key: sk-admin-FAKE0000\n", `openai-casb.yaml:1: "admin-key": keys are never read from a configuration file`},
		{"config in config", "config: other.yaml\n", `"config" cannot be set`},
		{"a bad value", "fail-on: urgent\n", `--fail-on`},
		{"not a mapping", "- format\n", `openai-casb.yaml:1: want a mapping`},
		{"not YAML", "format: [json\n", `openai-casb.yaml: yaml:`},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			cfg := writeConfig(t, c.body)
			r := runCLI(t, "", "--config", cfg, "evaluate", acme)
			assert.Equal(t, exitError, r.code)
			assert.Contains(t, r.stderr, c.want)
			assert.NotContains(t, r.stderr, "sk-admin-FAKE", "a key is never echoed")
		})
	}
	t.Run("a missing --config file is an error", func(t *testing.T) {
		r := runCLI(t, "", "--config", filepath.Join(t.TempDir(), "nope.yaml"), "evaluate", acme)
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "read configuration")
	})
	t.Run("an empty file is no configuration", func(t *testing.T) {
		r := runCLI(t, "", "--config", writeConfig(t, ""), "evaluate", acme, "-f", "json")
		assert.Equal(t, exitOK, r.code, r.stderr)
	})
}

func keys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
