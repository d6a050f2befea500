package report_test

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/report"
)

func sample() *report.Report {
	name := "Acme"
	reason := "no CHATGPT_WORKSPACE_ID"
	return &report.Report{
		Tool: report.Tool{Name: "openai-casb", Version: "1.2.3"},
		Inventory: evaluator.Header{
			CollectedAt:  1795651200,
			Organization: inventory.Organization{ID: "org-1", Name: &name},
			Sources: map[string]inventory.Source{
				"users":   {Status: "complete"},
				"gpts":    {Status: "skipped", Reason: &reason},
				"invites": {Status: "partial"},
			},
		},
		EvaluatedAt: 1795651200,
		Entries: report.Entries("org-1", []evaluator.Finding{
			{FindingTypeID: "a", Title: "Key not rotated", Category: "API key hygiene", Severity: evaluator.SeverityHigh,
				Resource: evaluator.Resource{Type: "admin_api_key", ID: "key_1", Name: "ci"}, Message: "old", Remediation: "rotate",
				Evidence: json.RawMessage(`{"days":120}`)},
			{FindingTypeID: "b", Title: "Stale invite", Category: "Access security", Severity: evaluator.SeverityLow,
				Resource: evaluator.Resource{Type: "invite", ID: "inv_1"}, Message: "line one\nline two\x1b[31m", Remediation: "revoke"},
		}),
		Catalog: []evaluator.FindingType{
			{ID: "a", Title: "Key not rotated", Description: "An old key.", Severity: evaluator.SeverityHigh, Category: "API key hygiene", Remediation: "rotate"},
			{ID: "b", Title: "Stale invite", Severity: evaluator.SeverityLow, Category: "Access security", Remediation: "revoke"},
			{ID: "c", Title: "Never found", Severity: evaluator.SeverityCritical, Category: "X", Remediation: "r"},
		},
	}
}

// waivedSample is sample with a waivers file whose one waiver accepts the
// first finding; its owner would be a formula in a spreadsheet.
func waivedSample() *report.Report {
	r := sample()
	w := &report.Waiver{File: "openai-casb-waivers.yaml", Line: 3, FindingTypeID: "a", Resource: "key_1",
		Reason: "accepted: CI key", Owner: "=cmd|' /C calc'!A0", Expires: "2027-01-31", Matched: 1}
	r.Entries[0].Waiver = w
	r.Waivers = &report.WaiverSummary{File: "openai-casb-waivers.yaml", Applied: 1}
	return r
}

// The JSON report's shape is a public contract: these are its keys.
func TestJSONContract(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.JSON{}.Write(&buf, sample()))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))

	assert.Equal(t, []string{"findings", "inventory", "summary", "tool"}, keys(doc))
	assert.Equal(t, []string{"name", "version"}, keys(doc["tool"]))
	assert.Equal(t, []string{"collected_at", "evaluated_at", "organization_id", "organization_name", "sources_incomplete", "workspace_id"}, keys(doc["inventory"]))
	assert.Equal(t, []string{"by_severity", "total"}, keys(doc["summary"]))
	assert.Equal(t, map[string]any{"critical": 0.0, "high": 1.0, "medium": 0.0, "low": 1.0}, doc["summary"].(map[string]any)["by_severity"])
	assert.Equal(t, 2.0, doc["summary"].(map[string]any)["total"])

	findings := doc["findings"].([]any)
	require.Len(t, findings, 2)
	f := findings[0].(map[string]any)
	assert.Equal(t, []string{"category", "evidence", "finding_type_id", "fingerprint", "message", "remediation", "resource", "severity", "title"}, keys(f))
	assert.Len(t, f["fingerprint"], 64)
	assert.Equal(t, []string{"id", "name", "type"}, keys(f["resource"]))
	assert.Equal(t, "high", f["severity"])
	assert.Nil(t, findings[1].(map[string]any)["resource"].(map[string]any)["name"], "a resource without a name has null")
	assert.Equal(t, map[string]any{}, findings[1].(map[string]any)["evidence"], "evidence is always an object")

	inc := doc["inventory"].(map[string]any)["sources_incomplete"].([]any)
	assert.Equal(t, []any{
		map[string]any{"source": "gpts", "status": "skipped", "reason": "no CHATGPT_WORKSPACE_ID"},
		map[string]any{"source": "invites", "status": "partial"},
	}, inc)
	assert.Equal(t, "2026-11-26T00:00:00Z", doc["inventory"].(map[string]any)["collected_at"])
}

func TestJSONEmptyFindingsIsAnArray(t *testing.T) {
	r := sample()
	r.Entries = nil
	var buf bytes.Buffer
	require.NoError(t, report.JSON{}.Write(&buf, r))
	assert.Contains(t, buf.String(), `"findings": []`)
}

func TestTable(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.Table{}.Write(&buf, sample()))
	out := buf.String()
	assert.Contains(t, out, "organization Acme (org-1), collected 2026-11-26T00:00:00Z")
	assert.Contains(t, out, "! gpts skipped: no CHATGPT_WORKSPACE_ID (findings that depend on it may be missing)")
	assert.Contains(t, out, "! invites partial (findings that depend on it may be missing)")
	high := strings.Index(out, "HIGH (1)")
	low := strings.Index(out, "LOW (1)")
	assert.True(t, high > 0 && low > high, "groups by severity, most severe first")
	assert.NotContains(t, out, "MEDIUM", "empty groups are left out")
	assert.Contains(t, out, "line one line two [31m", "control characters cannot break rows or reach the terminal")
	assert.NotContains(t, out, "\x1b")
	assert.True(t, strings.HasSuffix(out, "\n2 findings: 0 critical, 1 high, 0 medium, 1 low\n"))
}

func TestTableWithoutFindings(t *testing.T) {
	r := sample()
	r.Entries = nil
	var buf bytes.Buffer
	require.NoError(t, report.Table{}.Write(&buf, r))
	assert.Contains(t, buf.String(), "No findings.")
	assert.Contains(t, buf.String(), "0 findings: 0 critical, 0 high, 0 medium, 0 low")
}

func TestNewRejectsUnknownFormats(t *testing.T) {
	_, err := report.New("xml", report.Options{})
	assert.ErrorContains(t, err, `unknown format "xml": want one of table, json, sarif, github`)
	assert.EqualError(t, report.CheckFormat("xml"), err.Error())
}

func TestEveryFormatHasAWriter(t *testing.T) {
	for _, f := range report.Formats {
		require.NoError(t, report.CheckFormat(f), f)
		w, err := report.New(f, report.Options{})
		require.NoError(t, err, f)
		assert.NotNil(t, w, f)
	}
}

func keys(v any) []string {
	m := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The hand-written finding encoder writes byte for byte what encoding/json's
// indenting encoder writes of the same finding.
func TestJSONFindingsAsEncodingJSONWritesThem(t *testing.T) {
	type resource struct {
		Type string  `json:"type"`
		ID   string  `json:"id"`
		Name *string `json:"name"`
	}
	type finding struct {
		FindingTypeID string          `json:"finding_type_id"`
		Title         string          `json:"title"`
		Category      string          `json:"category"`
		Severity      string          `json:"severity"`
		Resource      resource        `json:"resource"`
		Message       string          `json:"message"`
		Remediation   string          `json:"remediation"`
		Evidence      json.RawMessage `json:"evidence"`
		Fingerprint   string          `json:"fingerprint"`
		BaselineState string          `json:"baseline_state,omitempty"`
	}
	name := "n<&>\u2028"
	entries := report.Entries("org", []evaluator.Finding{
		{FindingTypeID: "a\"b", Title: "T\n", Category: "C", Severity: evaluator.SeverityCritical,
			Resource: evaluator.Resource{Type: "t", ID: "i\\d", Name: name}, Message: "m \xff", Remediation: "r",
			Evidence: json.RawMessage(`{"a":[1,{"b":null}],"c":"d","e":{}}`)},
		{FindingTypeID: "x", Severity: evaluator.SeverityLow, Resource: evaluator.Resource{Type: "t", ID: "j"}},
	})
	entries[1].State = report.StateNew
	r := sample()
	r.Entries = entries
	var got bytes.Buffer
	require.NoError(t, report.JSON{}.Write(&got, r))

	want := []finding{
		{entries[0].FindingTypeID, "T\n", "C", "critical", resource{"t", "i\\d", &name}, "m \xff", "r", json.RawMessage(`{"a":[1,{"b":null}],"c":"d","e":{}}`), entries[0].Fingerprint, ""},
		{"x", "", "", "low", resource{"t", "j", nil}, "", "", json.RawMessage(`{}`), entries[1].Fingerprint, "new"},
	}
	var enc bytes.Buffer
	e := json.NewEncoder(&enc)
	e.SetEscapeHTML(false)
	e.SetIndent("  ", "  ")
	require.NoError(t, e.Encode(want))
	array := strings.TrimSuffix(enc.String(), "\n")
	assert.Contains(t, got.String(), "\"findings\": "+array+"\n}\n")
}
