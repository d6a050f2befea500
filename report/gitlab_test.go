package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/internal/schemacheck"
	"github.com/openai-casb/openai-casb/report"
)

func gitlab(t *testing.T, r *report.Report) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.GitLab{}.Write(&buf, r))
	schemacheck.Validate(t, schemacheck.Load(t, schemacheck.GitLabSAST), buf.Bytes())
	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	return doc
}

func TestGitLabSAST(t *testing.T) {
	doc := gitlab(t, sarifSample())
	assert.Equal(t, "15.2.1", doc["version"])
	scan := doc["scan"].(map[string]any)
	assert.Equal(t, "sast", scan["type"])
	assert.Equal(t, "success", scan["status"])
	assert.Equal(t, "2026-11-26T00:00:00", scan["start_time"])
	assert.Equal(t, map[string]any{"id": "openai-casb", "name": "openai-casb", "version": "1.2.3", "url": report.InformationURI, "vendor": map[string]any{"name": "openai-casb"}}, scan["analyzer"])
	assert.Equal(t, []any{
		map[string]any{"level": "warn", "value": "source gpts skipped: findings that depend on it may be missing (no CHATGPT_WORKSPACE_ID)"},
		map[string]any{"level": "warn", "value": "source invites partial: findings that depend on it may be missing"},
	}, scan["messages"])

	vulns := doc["vulnerabilities"].([]any)
	require.Len(t, vulns, 2)
	v := vulns[0].(map[string]any)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), v["id"])
	assert.Equal(t, "Key not rotated", v["name"])
	assert.Equal(t, "old\n\nEvidence: `{\"days\":120}`", v["description"])
	assert.Equal(t, "High", v["severity"])
	assert.Equal(t, "rotate", v["solution"])
	assert.Equal(t, []any{map[string]any{"type": "openai_casb_finding_type", "name": "openai-casb Key not rotated", "value": "a", "url": report.InformationURI}}, v["identifiers"])
	assert.Equal(t, map[string]any{"file": "inventories/acme.json", "start_line": 12.0, "end_line": 12.0, "class": "admin_api_key", "method": "key_1"}, v["location"])
	sig := v["tracking"].(map[string]any)["items"].([]any)[0].(map[string]any)["signatures"].([]any)[0]
	assert.Equal(t, map[string]any{"algorithm": "hash", "value": sarifSample().Entries[0].Fingerprint}, sig)
	assert.Equal(t, "Low", vulns[1].(map[string]any)["severity"])
	assert.Equal(t, 40.0, vulns[1].(map[string]any)["location"].(map[string]any)["start_line"])

	again := gitlab(t, sarifSample())
	assert.Equal(t, v["id"], again["vulnerabilities"].([]any)[0].(map[string]any)["id"], "ids are stable across runs")
}

func TestGitLabLeavesAbsentOut(t *testing.T) {
	r := sarifSample()
	r.Entries[0].State = report.StateAbsent
	assert.Len(t, gitlab(t, r)["vulnerabilities"], 1)
	r.Entries = nil
	assert.Equal(t, []any{}, gitlab(t, r)["vulnerabilities"])
}

func TestGitLabFailure(t *testing.T) {
	r := sarifSample()
	r.Entries, r.Failure = nil, errors.New("policy error:\nbroken")
	scan := gitlab(t, r)["scan"].(map[string]any)
	assert.Equal(t, "failure", scan["status"])
	assert.Contains(t, scan["messages"], map[string]any{"level": "fatal", "value": "policy error: broken"})
}

func TestGitLabLeavesWaivedOut(t *testing.T) {
	r := waivedSample()
	r.Artifact = sarifSample().Artifact
	vulns := gitlab(t, r)["vulnerabilities"].([]any)
	require.Len(t, vulns, 1)
	assert.Equal(t, "Stale invite", vulns[0].(map[string]any)["name"])
}
