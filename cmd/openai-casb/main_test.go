package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

const (
	fixtures = "../../fixtures/inventory"
	acme     = fixtures + "/acme.json"
	clean    = fixtures + "/clean.json"
)

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs one command line in-process, as main would, with an empty
// environment.
func runCLI(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	return runEnv(t, nil, stdin, args...)
}

// runEnv runs one command line with the given environment variables.
func runEnv(t testing.TB, environ map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(k string) string { return environ[k] },
		// Progress logs on a clock that never ticks: output does not
		// depend on how slow the machine is.
		newTicker: func(time.Duration) (<-chan time.Time, func()) { return nil, func() {} },
		// Webhook retries do not wait.
		sleep: func(context.Context, time.Duration) error { return nil }}
	code := run(context.Background(), append([]string{toolName}, args...), e)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func TestEvaluateExitCodes(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"findings do not fail by default", []string{"evaluate", acme}, exitOK},
		{"fail-on high with highs", []string{"evaluate", acme, "--fail-on", "high"}, exitFindings},
		{"fail-on low with lows", []string{"evaluate", "--fail-on=low", acme}, exitFindings},
		{"fail-on critical with criticals", []string{"evaluate", acme, "--fail-on", "critical"}, exitFindings},
		{"fail-on critical without criticals", []string{"evaluate", clean, "--fail-on", "critical"}, exitOK},
		{"fail-on none", []string{"evaluate", acme, "--fail-on", "none"}, exitOK},
		{"clean fails on nothing", []string{"evaluate", clean, "--fail-on", "low"}, exitOK},
		{"missing file", []string{"evaluate", "nope.json"}, exitError},
		{"no argument", []string{"evaluate"}, exitError},
		{"two arguments", []string{"evaluate", acme, clean}, exitError},
		{"unknown format", []string{"evaluate", acme, "--format", "xml"}, exitError},
		{"unknown severity", []string{"evaluate", acme, "--fail-on", "urgent"}, exitError},
		{"bad now", []string{"evaluate", acme, "--now", "yesterday"}, exitError},
		{"unknown flag", []string{"evaluate", acme, "--frobnicate"}, exitError},
		{"unknown command", []string{"frobnicate"}, exitError},
		{"missing policy dir", []string{"evaluate", acme, "--policies", "/nonexistent/policies"}, exitError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			assert.Equal(t, c.code, r.code, "stderr: %s", r.stderr)
			if c.code == exitError {
				assert.NotEmpty(t, r.stderr)
				assert.Empty(t, r.stdout, "errors go to standard error only")
			}
		})
	}
}

func TestFailOnSaysWhy(t *testing.T) {
	r := runCLI(t, "", "evaluate", acme, "--fail-on", "high", "--format", "json")
	assert.Equal(t, exitFindings, r.code)
	assert.Equal(t, "openai-casb: 20 finding(s) at or above high (--fail-on high)\n", r.stderr)
	assert.True(t, json.Valid([]byte(r.stdout)), "the report is still written in full")
}

func TestEveryInvalidFixtureExits2NamingThePointer(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtures, "invalid", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := runCLI(t, "", "evaluate", f)
			assert.Equal(t, exitError, r.code)
			assert.Regexp(t, `^openai-casb: `+regexpQuote(f)+`: /[^ ]*: .+\n$`, r.stderr)
		})
	}
}

func TestStdin(t *testing.T) {
	raw, err := os.ReadFile(acme)
	require.NoError(t, err)
	fromStdin := runCLI(t, string(raw), "evaluate", "-", "--format", "json")
	fromFile := runCLI(t, "", "evaluate", acme, "--format", "json")
	require.Equal(t, exitOK, fromStdin.code, fromStdin.stderr)
	assert.Equal(t, fromFile.stdout, fromStdin.stdout)

	bad := runCLI(t, `{"schema_version": 1,`, "evaluate", "-")
	assert.Equal(t, exitError, bad.code)
	assert.Contains(t, bad.stderr, "-: invalid JSON")
}

// A file that is not JSON at all says so at its first line and column, as
// docs promise (FILE:LINE:COL: invalid JSON).
func TestEvaluateNotJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(path, []byte("hello world\n"), 0o600))
	r := runCLI(t, "", "evaluate", path)
	assert.Equal(t, exitError, r.code)
	assert.True(t, strings.HasPrefix(r.stderr, "openai-casb: "+path+":1:1: invalid JSON: "), r.stderr)
}

// A UTF-8 byte order mark (some Windows editors write one) is skipped;
// UTF-16 is refused with a message that names it.
func TestEvaluateByteOrderMarks(t *testing.T) {
	raw, err := os.ReadFile(acme)
	require.NoError(t, err)
	dir := t.TempDir()
	bom := filepath.Join(dir, "bom.json")
	require.NoError(t, os.WriteFile(bom, append([]byte("\xef\xbb\xbf"), raw...), 0o600))
	withBOM := runCLI(t, "", "evaluate", bom, "--format", "json")
	plain := runCLI(t, "", "evaluate", acme, "--format", "json")
	require.Equal(t, exitOK, withBOM.code, withBOM.stderr)
	assert.Equal(t, strings.ReplaceAll(plain.stdout, acme, bom), withBOM.stdout)

	wide := []byte{0xFF, 0xFE}
	for _, c := range raw {
		wide = append(wide, c, 0)
	}
	utf16 := filepath.Join(dir, "utf16.json")
	require.NoError(t, os.WriteFile(utf16, wide, 0o600))
	r := runCLI(t, "", "evaluate", utf16)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "the file is UTF-16LE; an inventory is UTF-8 JSON")
}

// Duplicate names are refused at any depth, with their JSON pointer.
func TestEvaluateDuplicateNames(t *testing.T) {
	raw, err := os.ReadFile(acme)
	require.NoError(t, err)
	doc := strings.Replace(string(raw), `"id": "user-carol",`, `"id": "user-carol", "id": "user-mallory",`, 1)
	require.NotEqual(t, string(raw), doc)
	path := filepath.Join(t.TempDir(), "dup.json")
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))
	r := runCLI(t, "", "evaluate", path)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, path+": /projects/1/api_keys/0/owner/id: duplicate key")
}

func TestJSONIsByteIdenticalAcrossRuns(t *testing.T) {
	a := runCLI(t, "", "evaluate", acme, "--format", "json")
	b := runCLI(t, "", "evaluate", acme, "--format", "json")
	require.Equal(t, exitOK, a.code)
	assert.Equal(t, a.stdout, b.stdout)
}

func TestGolden(t *testing.T) {
	for _, format := range []string{"table", "json"} {
		t.Run(format, func(t *testing.T) {
			r := runCLI(t, "", "evaluate", acme, "--format", format)
			require.Equal(t, exitOK, r.code, r.stderr)
			golden(t, filepath.Join("testdata", "golden", "acme."+format), r.stdout)
		})
	}
}

func TestOutputFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	r := runCLI(t, "", "evaluate", acme, "--format", "json", "--output", path)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Equal(t, "wrote "+path+": 47 findings: 2 critical, 18 high, 23 medium, 4 low\n", r.stderr)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, runCLI(t, "", "evaluate", acme, "--format", "json").stdout, string(written))
}

func TestNowFlag(t *testing.T) {
	r := runCLI(t, "", "evaluate", clean, "--now", "2027-06-01T00:00:00Z", "--format", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc struct {
		Inventory struct {
			CollectedAt string `json:"collected_at"`
			EvaluatedAt string `json:"evaluated_at"`
		} `json:"inventory"`
		Summary struct{ Total int } `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.Equal(t, "2026-11-26T00:00:00Z", doc.Inventory.CollectedAt)
	assert.Equal(t, "2027-06-01T00:00:00Z", doc.Inventory.EvaluatedAt)
	assert.Positive(t, doc.Summary.Total, "half a year later the clean organization has aged")
}

// The acceptance test of the core issue: export, edit a threshold, evaluate
// with --policies, and the findings change without a rebuild.
func TestExportEditEvaluate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my-policies")
	r := runCLI(t, "", "policies", "export", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.FileExists(t, filepath.Join(dir, "config.rego"))
	assert.FileExists(t, filepath.Join(dir, "access_security_test.rego"), "tests come along for opa test")

	before := countOf(t, runCLI(t, "", "evaluate", clean, "--policies", dir, "--format", "json"), "b72e971d-f5b9-4cf3-96f4-ef82bdf38453")
	assert.Equal(t, 0, before)

	cfg := filepath.Join(dir, "config.rego")
	src, err := os.ReadFile(cfg)
	require.NoError(t, err)
	edited := strings.Replace(string(src), "admin_key_rotation_days := 90", "admin_key_rotation_days := 7", 1)
	require.NotEqual(t, string(src), edited, "config.rego has the rotation threshold")
	require.NoError(t, os.WriteFile(cfg, []byte(edited), 0o644))

	after := countOf(t, runCLI(t, "", "evaluate", clean, "--policies", dir, "--format", "json"), "b72e971d-f5b9-4cf3-96f4-ef82bdf38453")
	assert.Equal(t, 1, after, "key_admin_fresh (10 days old) is now past a 7-day rotation period")
}

func TestExportRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	require.Equal(t, exitOK, runCLI(t, "", "policies", "export", dir).code)
	cfg := filepath.Join(dir, "config.rego")
	require.NoError(t, os.WriteFile(cfg, []byte("# mine\n"), 0o644))

	r := runCLI(t, "", "policies", "export", dir)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "refusing to overwrite")
	assert.Contains(t, r.stderr, cfg)
	assert.Contains(t, r.stderr, "--force")
	kept, _ := os.ReadFile(cfg)
	assert.Equal(t, "# mine\n", string(kept))

	require.Equal(t, exitOK, runCLI(t, "", "policies", "export", "--force", dir).code)
	replaced, _ := os.ReadFile(cfg)
	assert.Contains(t, string(replaced), "admin_key_rotation_days")
}

func TestPoliciesList(t *testing.T) {
	r := runCLI(t, "", "policies", "list")
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	assert.Len(t, lines, 38, "a header and thirty-seven finding types")
	assert.Regexp(t, `^FINDING TYPE ID\s+SEVERITY\s+CATEGORY\s+TITLE$`, lines[0])
	assert.Contains(t, r.stdout, "18fd5b21-8489-485e-9c93-0bd4a696e724  low")

	j := runCLI(t, "", "policies", "list", "--format", "json")
	require.Equal(t, exitOK, j.code, j.stderr)
	var entries []map[string]any
	require.NoError(t, json.Unmarshal([]byte(j.stdout), &entries))
	assert.Len(t, entries, 37)
}

func TestSchemaAndVersion(t *testing.T) {
	r := runCLI(t, "", "schema")
	require.Equal(t, exitOK, r.code)
	assert.Equal(t, string(schemas.Inventory), r.stdout)

	v := runCLI(t, "", "version")
	require.Equal(t, exitOK, v.code)
	assert.Regexp(t, `^openai-casb \d+\.\d+\.\d+ \(OPA \d+\.\d+\.\d+, go1\.\d+`, v.stdout)
}

func TestHelpDocumentsExitCodes(t *testing.T) {
	r := runCLI(t, "", "evaluate", "--help")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "EXIT CODES")
	assert.Contains(t, r.stdout, "--fail-on")
}

func countOf(t *testing.T, r result, findingType string) int {
	t.Helper()
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc struct {
		Findings []struct {
			FindingTypeID string `json:"finding_type_id"`
		} `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	n := 0
	for _, f := range doc.Findings {
		if f.FindingTypeID == findingType {
			n++
		}
	}
	return n
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got)
}

func regexpQuote(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			sb.WriteByte('\\')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// Goldens name the tool's version; pin it so they do not depend on how the
// test binary was built.
func init() { version = "0.1.0" }

// Every error a command returns exits 2, so marking one with exitError
// changes nothing; withExit is for the other codes.
func TestNoNoOpExitWrappers(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "withExit(exit"+"Error,", "%s: return the error itself", f)
	}
}
