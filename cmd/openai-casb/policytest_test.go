package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoliciesTestBuiltIn(t *testing.T) {
	r := runCLI(t, "", "policies", "test")
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Regexp(t, `^PASS: (\d+)/(\d+)\n$`, r.stdout)

	one := runCLI(t, "", "policies", "test", "--run", "test_admin_key_rotation_boundary", "-v")
	require.Equal(t, exitOK, one.code, one.stdout+one.stderr)
	assert.Contains(t, one.stdout, "data.openai.api_key_hygiene_test.test_admin_key_rotation_boundary: PASS")
	assert.Contains(t, one.stdout, "PASS: 1/1")
}

// The acceptance: a custom rule in its own folder, tested with the binary
// alone: only its tests run, against the built-in lib and config.
func TestPoliciesTestOfACustomFolder(t *testing.T) {
	dir := customDir(t)
	r := runCLI(t, "", "policies", "test", dir)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Equal(t, "PASS: 2/2\n", r.stdout)

	// A test that fails: exit 1, OPA's report of it.
	bad := strings.Replace(customRuleTest, `count(findings) == 2`, `count(findings) == 3`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "domains_test.rego"), []byte(bad), 0o644))
	r = runCLI(t, "", "policies", "test", dir)
	assert.Equal(t, exitFindings, r.code)
	assert.Contains(t, r.stdout, "data.acme.domains_test.test_flags_each_domain_outside_the_allowlist: FAIL")
	assert.Contains(t, r.stdout, "FAIL: 1/2")
	assert.Contains(t, r.stderr, "1 test(s) failed")

	// A file that does not parse: exit 2 naming file and line.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.rego"), []byte("package acme.broken\n\nx := if\n"), 0o644))
	r = runCLI(t, "", "policies", "test", dir)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, filepath.Join(dir, "broken.rego")+":3: rego_parse_error")

	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, "x.rego"), []byte("package acme.x\n\ny := 1\n"), 0o644))
	r = runCLI(t, "", "policies", "test", empty)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "no test ran")

	r = runCLI(t, "", "policies", "test", "--run", "(", customDir(t))
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "not a regular expression")
}

// The README's example: export, set admin_key_rotation_days := 30, test.
// The shipped tests read their thresholds from data.openai.config, so they
// pass, with policies test as with stock OPA's tester (what opa test runs).
func TestEditedExportedTreePassesItsTests(t *testing.T) {
	for _, value := range []string{"30", "7", "365"} {
		t.Run(value, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "my-policies")
			require.Equal(t, exitOK, runCLI(t, "", "policies", "export", dir).code)
			cfg := filepath.Join(dir, "config.rego")
			src, err := os.ReadFile(cfg)
			require.NoError(t, err)
			edited := string(src)
			for _, name := range []string{"admin_key_rotation_days", "project_key_rotation_days", "admin_key_never_used_days",
				"admin_key_idle_days", "project_key_never_used_days", "project_key_idle_days", "inactive_user_days", "stale_invite_days"} {
				re := regexp.MustCompile(`(?m)^` + name + ` := \d+$`)
				require.True(t, re.MatchString(edited), "config.rego sets %s", name)
				edited = re.ReplaceAllString(edited, name+" := "+value)
			}
			require.NoError(t, os.WriteFile(cfg, []byte(edited), 0o644))

			r := runCLI(t, "", "policies", "test", dir)
			require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
			assert.Contains(t, r.stderr, "holds its own openai.lib: testing it in place of the built-in policies")
			assert.Regexp(t, `^PASS: \d+/\d+\n$`, r.stdout)

			results, err := tester.Run(context.Background(), dir)
			require.NoError(t, err)
			require.NotEmpty(t, results)
			for _, res := range results {
				assert.True(t, res.Pass(), "stock opa test: %s", res)
			}
		})
	}
}
