package sarifcheck_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/sarifcheck"
)

const good = `{
  "version": "2.1.0",
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "runs": [{
    "tool": {"driver": {"name": "t", "rules": [
      {"id": "r1", "shortDescription": {"text": "R1"}, "properties": {"security-severity": "7.5"}}
    ]}},
    "results": [{
      "ruleId": "r1",
      "message": {"text": "m"},
      "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.json"}, "region": {"startLine": 3}}}],
      "partialFingerprints": {"primaryLocationLineHash": "h"}
    }]
  }]
}`

func TestProblems(t *testing.T) {
	tests := []struct {
		name, from, to, want string
	}{
		{"good", "", "", ""},
		{"not JSON", `"version"`, `version`, "not JSON"},
		{"schema: unknown top-level property", `"version": "2.1.0",`, `"version": "2.1.0", "extra": 1,`, `schema: at ""`},
		{"version", `"version": "2.1.0"`, `"version": "2.0.0"`, "schema: "},
		{"empty driver name", `"name": "t"`, `"name": ""`, "tool.driver.name is empty"},
		{"results missing", `"results": [{`, `"x-results": [{`, "schema: "},
		{"no shortDescription", `"shortDescription": {"text": "R1"}, `, ``, `rule "r1": no shortDescription`},
		{"severity not a string", `"security-severity": "7.5"`, `"security-severity": 7.5`, "must be a string holding a number"},
		{"severity out of range", `"security-severity": "7.5"`, `"security-severity": "11"`, "is not a number from 0.0 to 10.0"},
		{"no security-severity", `"properties": {"security-severity": "7.5"}`, `"properties": {}`, "no properties.security-severity"},
		{"unknown rule", `"ruleId": "r1"`, `"ruleId": "r2"`, `ruleId "r2" is not among tool.driver.rules`},
		{"no locations", `"locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.json"}, "region": {"startLine": 3}}}],`, ``, "no locations; code scanning rejects the whole file"},
		{"no start line", `, "region": {"startLine": 3}`, ``, "no region.startLine >= 1"},
		{"no uri", `"artifactLocation": {"uri": "a.json"}, `, ``, "no physicalLocation.artifactLocation.uri"},
		{"no fingerprint", `"primaryLocationLineHash": "h"`, `"other": "h"`, "no partialFingerprints.primaryLocationLineHash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := good
			if tc.from != "" {
				require.Contains(t, raw, tc.from, "the mutation must apply")
				raw = strings.Replace(raw, tc.from, tc.to, 1)
			}
			p := sarifcheck.Problems([]byte(raw))
			if tc.want == "" {
				assert.Empty(t, p)
				return
			}
			require.NotEmpty(t, p)
			assert.Contains(t, strings.Join(p, "\n"), tc.want)
		})
	}
}

func TestDuplicateRunsAndRules(t *testing.T) {
	raw := strings.Replace(good, `"runs": [{`, `"runs": [{"tool": {"driver": {"name": "t", "rules": []}}, "results": []}, {`, 1)
	raw = strings.Replace(raw, `"rules": [
      {"id": "r1"`, `"rules": [
      {"id": "r1", "shortDescription": {"text": "R1"}, "properties": {"security-severity": "1.0"}},
      {"id": "r1"`, 1)
	p := strings.Join(sarifcheck.Problems([]byte(raw)), "\n")
	assert.Contains(t, p, `run 1: another run has the same tool "t" and category ""`)
	assert.Contains(t, p, `run 1 rule 1: duplicate rule id "r1"`)
}

// The vendored schema is the one the project's shared reference holds, when
// that folder is beside the repository.
func TestVendoredSchemaMatchesShared(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "schemas", "sarif-schema-2.1.0.json")
	want, err := os.ReadFile(shared)
	if os.IsNotExist(err) {
		t.Skipf("no %s: place the project's shared folder beside the repository to compare", shared)
	}
	require.NoError(t, err)
	got, err := os.ReadFile(sarifcheck.SchemaPath())
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "testdata/sarif-schema-2.1.0.json differs from %s", shared)
}
