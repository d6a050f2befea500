package report_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/internal/sarifcheck"
	"github.com/openai-casb/openai-casb/report"
)

type lines map[string]int

func (l lines) Line(typ, id string) int {
	if n, ok := l[typ+"/"+id]; ok {
		return n
	}
	return 1
}

func sarifSample() *report.Report {
	r := sample()
	r.Artifact = &report.Artifact{URI: "inventories/acme.json", Lines: lines{"admin_api_key/key_1": 12, "invite/inv_1": 40}}
	return r
}

func writeSARIF(t *testing.T, s report.SARIF, r *report.Report) (map[string]any, []byte) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, s.Write(&buf, r))
	sarifcheck.Check(t, buf.Bytes())
	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	return doc, buf.Bytes()
}

func run0(doc map[string]any) map[string]any {
	return doc["runs"].([]any)[0].(map[string]any)
}

func TestSARIFRulesAndResults(t *testing.T) {
	doc, _ := writeSARIF(t, report.SARIF{}, sarifSample())
	assert.Equal(t, "2.1.0", doc["version"])
	run := run0(doc)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	assert.Equal(t, "openai-casb", driver["name"])
	assert.Equal(t, "1.2.3", driver["semanticVersion"])
	assert.Equal(t, report.InformationURI, driver["informationUri"])

	rules := driver["rules"].([]any)
	require.Len(t, rules, 3, "every finding type of the catalog, found or not")
	byID := map[string]map[string]any{}
	for _, r := range rules {
		byID[r.(map[string]any)["id"].(string)] = r.(map[string]any)
	}
	a := byID["a"]
	assert.Equal(t, "KeyNotRotated", a["name"])
	assert.Equal(t, map[string]any{"text": "Key not rotated"}, a["shortDescription"])
	assert.Equal(t, map[string]any{"text": "An old key."}, a["fullDescription"])
	assert.Contains(t, a["help"].(map[string]any)["text"], "Remediation: rotate")
	assert.Contains(t, a["help"].(map[string]any)["markdown"], "**Remediation:** rotate")
	assert.Equal(t, map[string]any{"level": "error"}, a["defaultConfiguration"])
	props := a["properties"].(map[string]any)
	assert.Equal(t, "8.0", props["security-severity"])
	assert.Equal(t, []any{"security", "API key hygiene"}, props["tags"])
	assert.NotEmpty(t, props["precision"])
	assert.Equal(t, "9.5", byID["c"]["properties"].(map[string]any)["security-severity"])
	assert.Equal(t, "2.0", byID["b"]["properties"].(map[string]any)["security-severity"])
	assert.Equal(t, map[string]any{"level": "note"}, byID["b"]["defaultConfiguration"])

	assert.Equal(t, map[string]any{"id": "openai-casb/org-1/"}, run["automationDetails"])
	results := run["results"].([]any)
	require.Len(t, results, 2)
	res := results[0].(map[string]any)
	assert.Equal(t, "a", res["ruleId"])
	assert.Equal(t, 0.0, res["ruleIndex"])
	assert.Equal(t, "error", res["level"])
	loc := res["locations"].([]any)[0].(map[string]any)
	phys := loc["physicalLocation"].(map[string]any)
	assert.Equal(t, "inventories/acme.json", phys["artifactLocation"].(map[string]any)["uri"])
	assert.Equal(t, map[string]any{"startLine": 12.0}, phys["region"])
	assert.Equal(t, []any{map[string]any{"name": "key_1", "fullyQualifiedName": "admin_api_key/key_1", "kind": "resource"}}, loc["logicalLocations"])
	fp := report.Fingerprint("org-1", sample().Entries[0].Finding)
	assert.Equal(t, map[string]any{"primaryLocationLineHash": fp}, res["partialFingerprints"])
	assert.Equal(t, "high", res["properties"].(map[string]any)["severity"])
	assert.Equal(t, "note", results[1].(map[string]any)["level"])
	assert.Equal(t, 40.0, results[1].(map[string]any)["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["region"].(map[string]any)["startLine"])

	inv := run["invocations"].([]any)[0].(map[string]any)
	assert.Equal(t, false, inv["executionSuccessful"], "the sample's invites source is partial")
	notes := inv["toolExecutionNotifications"].([]any)
	require.Len(t, notes, 2)
	assert.Contains(t, notes[0].(map[string]any)["message"].(map[string]any)["text"], "source gpts was skipped")
	assert.Equal(t, "note", notes[0].(map[string]any)["level"])
	assert.Equal(t, "warning", notes[1].(map[string]any)["level"])
}

func TestSARIFSeverityBands(t *testing.T) {
	bands := map[evaluator.Severity][2]float64{
		evaluator.SeverityCritical: {9.0001, 10}, evaluator.SeverityHigh: {7.0, 8.9},
		evaluator.SeverityMedium: {4.0, 6.9}, evaluator.SeverityLow: {0.1, 3.9},
	}
	for sev, band := range bands {
		r := sample()
		r.Catalog = []evaluator.FindingType{{ID: "x", Title: "X", Severity: sev, Category: "c", Remediation: "r"}}
		r.Entries = nil
		doc, _ := writeSARIF(t, report.SARIF{}, r)
		rule := run0(doc)["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)[0].(map[string]any)
		var f float64
		fmt.Sscan(rule["properties"].(map[string]any)["security-severity"].(string), &f)
		assert.True(t, f >= band[0] && f <= band[1], "%s: %v outside %v", sev, f, band)
	}
}

func manyEntries(n int) []report.Entry {
	fs := make([]evaluator.Finding, n)
	for i := range fs {
		sev := evaluator.SeverityHigh
		if i%4 == 0 {
			sev = evaluator.SeverityLow
		}
		fs[i] = evaluator.Finding{FindingTypeID: "a", Title: "Key not rotated", Severity: sev,
			Resource: evaluator.Resource{Type: "admin_api_key", ID: fmt.Sprintf("key_%06d", i)}, Message: fmt.Sprintf("key %d is old", i)}
		if sev == evaluator.SeverityLow {
			fs[i].FindingTypeID, fs[i].Title = "b", "Stale invite"
		}
	}
	evaluator.SortFindings(fs)
	return report.Entries("org-1", fs)
}

func TestSARIFOverTheResultLimit(t *testing.T) {
	r := sarifSample()
	r.Entries = manyEntries(40_000)
	var warn bytes.Buffer
	doc, _ := writeSARIF(t, report.SARIF{Warnings: &warn}, r)
	run := run0(doc)
	results := run["results"].([]any)
	require.Len(t, results, 25_000)
	for _, res := range results {
		require.Equal(t, "error", res.(map[string]any)["level"], "the most severe are kept: 30,000 highs, no lows")
	}
	notes := run["invocations"].([]any)[0].(map[string]any)["toolExecutionNotifications"].([]any)
	last := notes[len(notes)-1].(map[string]any)
	assert.Equal(t, "kept the 25000 most severe of 40000 results: code scanning accepts at most 25000 results and 10 MiB (gzipped) per run; the json format has them all", last["message"].(map[string]any)["text"])
	assert.Equal(t, map[string]any{"id": "results-truncated"}, last["descriptor"])
	assert.Equal(t, "openai-casb: warning: SARIF: kept the 25000 most severe of 40000 results: code scanning accepts at most 25000 results and 10 MiB (gzipped) per run; the json format has them all\n", warn.String())
}

func TestSARIFOverTheSizeLimit(t *testing.T) {
	r := sarifSample()
	r.Entries = manyEntries(3_000)
	var warn bytes.Buffer
	const limit = 40 << 10
	_, raw := writeSARIF(t, report.SARIF{Warnings: &warn, MaxGzipBytes: limit}, r)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(raw)
	zw.Close()
	assert.LessOrEqual(t, zipped.Len(), limit)
	var doc struct {
		Runs []struct{ Results []any } `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	assert.Less(t, len(doc.Runs[0].Results), 3000)
	assert.Greater(t, len(doc.Runs[0].Results), 100)
	assert.Contains(t, warn.String(), fmt.Sprintf("kept the %d most severe of 3000 results", len(doc.Runs[0].Results)))
}

func TestSARIFFailure(t *testing.T) {
	r := &report.Report{Tool: report.Tool{Name: "openai-casb", Version: "1.2.3"}, Failure: errors.New("policies/x.rego:3: rego_parse_error: unexpected eof")}
	doc, _ := writeSARIF(t, report.SARIF{}, r)
	run := run0(doc)
	assert.Empty(t, run["results"])
	inv := run["invocations"].([]any)[0].(map[string]any)
	assert.Equal(t, false, inv["executionSuccessful"])
	note := inv["toolExecutionNotifications"].([]any)[0].(map[string]any)
	assert.Equal(t, "error", note["level"])
	assert.Contains(t, note["message"].(map[string]any)["text"], "rego_parse_error")
}

func TestPascalCase(t *testing.T) {
	for in, want := range map[string]string{
		"OpenAI: Admin API key not rotated":               "OpenAIAdminAPIKeyNotRotated",
		"OpenAI: GPT publicly accessible via public link": "OpenAIGPTPubliclyAccessibleViaPublicLink",
		"OpenAI: High-privilege invite":                   "OpenAIHighPrivilegeInvite",
		"acme: rule 2":                                    "AcmeRule2",
	} {
		assert.Equal(t, want, report.PascalCase(in))
	}
}

func TestGitHubAnnotations(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.GitHub{}.Write(&buf, sarifSample()))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 5)
	assert.Equal(t, "::error file=inventories/acme.json,line=12,title=Key not rotated::old [admin_api_key key_1]", lines[0])
	assert.Equal(t, "::notice file=inventories/acme.json,line=40,title=Stale invite::line one line two [31m [invite inv_1]", lines[1],
		"a newline cannot end the command early, nor an escape sequence reach the log")
	assert.Equal(t, "::warning title=openai-casb%3A source gpts skipped::no CHATGPT_WORKSPACE_ID", lines[2])
	assert.Equal(t, "openai-casb: 2 findings: 0 critical, 1 high, 0 medium, 1 low", lines[4])
}
