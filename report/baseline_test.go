package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/report"
)

func finding(typ, id string, sev evaluator.Severity) evaluator.Finding {
	return evaluator.Finding{FindingTypeID: typ, Title: "T " + typ, Category: "C", Severity: sev,
		Resource: evaluator.Resource{Type: "user", ID: id, Name: id + "@x"}, Message: "m " + id, Remediation: "r"}
}

func writeBaseline(t *testing.T, w report.Writer, r *report.Report) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, w.Write(&buf, r))
	path := filepath.Join(t.TempDir(), "previous")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	return path
}

func TestBaselineFromJSONAndSARIF(t *testing.T) {
	before := sarifSample()
	before.Catalog = []evaluator.FindingType{
		{ID: "a", Title: "T a", Category: "C", Severity: evaluator.SeverityHigh, Remediation: "r"},
		{ID: "b", Title: "T b", Category: "C", Severity: evaluator.SeverityLow, Remediation: "r"},
	}
	before.Entries = report.Entries("org-1", []evaluator.Finding{
		finding("a", "u1", evaluator.SeverityHigh), finding("a", "u2", evaluator.SeverityHigh), finding("b", "u3", evaluator.SeverityLow),
	})
	after := report.Entries("org-1", []evaluator.Finding{
		finding("a", "u1", evaluator.SeverityHigh), finding("b", "u3", evaluator.SeverityLow), finding("b", "u4", evaluator.SeverityLow),
	})
	// Only the numbers of the message changed (a key a day older): the
	// finding is unchanged. Other evidence makes u3's finding changed.
	before.Entries[0].Message, before.Entries[0].Evidence = "m u1 was created 120 days ago", json.RawMessage(`{"b":1,"a":"x&y"}`)
	after[0].Message, after[0].Evidence = "m u1 was created 121 days ago", json.RawMessage(`{"a":"x&y","b":1}`)
	after[1].Evidence = json.RawMessage(`{"domains":["a","b"]}`)

	for name, w := range map[string]report.Writer{"json": report.JSON{}, "sarif": report.SARIF{}} {
		t.Run(name, func(t *testing.T) {
			base, err := report.ReadBaseline(writeBaseline(t, w, before))
			require.NoError(t, err)
			assert.Equal(t, "org-1", base.OrganizationID)
			entries, sum := base.Compare(after)
			assert.Equal(t, report.BaselineSummary{File: base.File, New: 1, Changed: 1, Unchanged: 1, Absent: 1}, sum)
			states := map[string]report.BaselineState{}
			for _, e := range entries {
				states[e.Resource.ID] = e.State
			}
			assert.Equal(t, map[string]report.BaselineState{"u1": "unchanged", "u2": "absent", "u3": "changed", "u4": "new"}, states)
			for _, e := range entries {
				if e.State == report.StateAbsent {
					assert.Equal(t, "T a", e.Title, "an absent finding keeps what the baseline said of it")
					assert.Equal(t, evaluator.SeverityHigh, e.Severity)
					assert.Equal(t, "u2@x", e.Resource.Name)
				}
			}
		})
	}
}

// A report compared with a baseline can itself be the next baseline: its
// absent findings were not there, and are not carried on.
func TestBaselineOfABaselineReport(t *testing.T) {
	r := sarifSample()
	r.Entries = report.Entries("org-1", []evaluator.Finding{finding("a", "u1", evaluator.SeverityHigh)})
	old, err := report.ReadBaseline(writeBaseline(t, report.JSON{}, r))
	require.NoError(t, err)
	r.Entries, _ = old.Compare(nil) // u1 is now absent
	for _, w := range []report.Writer{report.JSON{}, report.SARIF{}} {
		next, err := report.ReadBaseline(writeBaseline(t, w, r))
		require.NoError(t, err)
		_, sum := next.Compare(nil)
		assert.Zero(t, sum.Absent)
	}
}

func TestBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	_, err := report.ReadBaseline(filepath.Join(dir, "missing.json"))
	assert.ErrorContains(t, err, "read baseline")
	_, err = report.ReadBaseline(write("text", "not json"))
	assert.ErrorContains(t, err, "not a JSON or SARIF report of openai-casb")
	_, err = report.ReadBaseline(write("other.json", `{"hello": 1}`))
	assert.ErrorContains(t, err, "neither runs (SARIF) nor findings (JSON)")
	_, err = report.ReadBaseline(write("partial.json", `{"findings": [{"finding_type_id": "a", "severity": "high", "resource": {"type": "user", "id": "u1"}}]}`))
	assert.ErrorContains(t, err, "findings[0] has no full fingerprint")
	_, err = report.ReadBaseline(write("partial.sarif", `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": []}}, "results": [{"ruleId": "a", "partialFingerprints": {"primaryLocationLineHash": "abc"}}]}]}`))
	assert.ErrorContains(t, err, "runs[0].results[0] has no full fingerprint", "a partial fingerprint is not an identity")
}

func TestFilterSeverities(t *testing.T) {
	es := report.Entries("o", []evaluator.Finding{finding("a", "1", evaluator.SeverityHigh), finding("b", "2", evaluator.SeverityLow), finding("c", "3", evaluator.SeverityCritical)})
	kept := report.FilterSeverities(es, []evaluator.Severity{evaluator.SeverityHigh, evaluator.SeverityCritical})
	require.Len(t, kept, 2)
	assert.Equal(t, "1", kept[0].Resource.ID)
	assert.Equal(t, "3", kept[1].Resource.ID)
	assert.Len(t, report.FilterSeverities(es, nil), 3)
}

func TestFingerprintIsTheFullIdentity(t *testing.T) {
	f := finding("a", "u1", evaluator.SeverityHigh)
	base := report.Fingerprint("org-1", f)
	assert.Len(t, base, 64)
	g := f
	g.Message, g.Resource.Name, g.Severity = "other", "other", evaluator.SeverityLow
	assert.Equal(t, base, report.Fingerprint("org-1", g), "message, name and severity are not identity")
	for _, change := range []func(*evaluator.Finding, *string){
		func(f *evaluator.Finding, _ *string) { f.FindingTypeID = "b" },
		func(f *evaluator.Finding, _ *string) { f.Resource.Type = "invite" },
		func(f *evaluator.Finding, _ *string) { f.Resource.ID = "u2" },
		func(_ *evaluator.Finding, org *string) { *org = "org-2" },
	} {
		h, org := f, "org-1"
		change(&h, &org)
		assert.NotEqual(t, base, report.Fingerprint(org, h))
	}
}

func TestTheKeyIsPartOfTheIdentity(t *testing.T) {
	f := finding("a", "file-1", evaluator.SeverityHigh)
	plain := report.Fingerprint("org-1", f)
	f.Key = "credentials_and_secrets"
	one := report.Fingerprint("org-1", f)
	f.Key = "financial_information"
	other := report.Fingerprint("org-1", f)
	assert.NotEqual(t, plain, one)
	assert.NotEqual(t, one, other)
	f.Key = ""
	assert.Equal(t, plain, report.Fingerprint("org-1", f), "findings without a key keep their fingerprint")
}
