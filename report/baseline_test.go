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
			entries, sum := base.Compare(after, 1795651200)
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
	r.Entries, _ = old.Compare(nil, 1795651200) // u1 is now absent
	for _, w := range []report.Writer{report.JSON{}, report.SARIF{}} {
		next, err := report.ReadBaseline(writeBaseline(t, w, r))
		require.NoError(t, err)
		_, sum := next.Compare(nil, 1795651200)
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

// First-seen times travel through a chain of baselines, in JSON and in
// SARIF: a new finding was first seen now, the others keep what the
// baseline says; a baseline without first-seen times (the first run, or
// older releases) counts as the time it was evaluated.
func TestFirstSeenThroughBaselines(t *testing.T) {
	const day1, day2, day3 = int64(1795000000), int64(1795086400), int64(1795172800)
	seen := func(es []report.Entry) map[string][3]any {
		out := map[string][3]any{}
		for _, e := range es {
			out[e.Resource.ID] = [3]any{string(e.State), e.FirstSeen, e.LastSeen}
		}
		return out
	}
	for name, w := range map[string]report.Writer{"json": report.JSON{}, "sarif": report.SARIF{}} {
		t.Run(name, func(t *testing.T) {
			r := sarifSample()
			r.EvaluatedAt = day1
			r.Entries = report.Entries("org-1", []evaluator.Finding{
				finding("a", "u1", evaluator.SeverityHigh), finding("a", "u2", evaluator.SeverityHigh), finding("b", "u3", evaluator.SeverityLow),
			})
			for _, e := range r.Entries {
				require.Zero(t, e.FirstSeen, "without a baseline nothing is known of earlier runs")
			}
			base1, err := report.ReadBaseline(writeBaseline(t, w, r))
			require.NoError(t, err)
			assert.Equal(t, day1, base1.EvaluatedAt)

			day2Findings := []evaluator.Finding{finding("a", "u1", evaluator.SeverityHigh), finding("b", "u3", evaluator.SeverityLow), finding("b", "u4", evaluator.SeverityLow)}
			day2Findings[1].Evidence = json.RawMessage(`{"more":1}`)
			r.EvaluatedAt = day2
			r.Entries, _ = base1.Compare(report.Entries("org-1", day2Findings), day2)
			assert.Equal(t, map[string][3]any{
				"u1": {"unchanged", day1, int64(0)},
				"u2": {"absent", day1, day1},
				"u3": {"changed", day1, int64(0)},
				"u4": {"new", day2, int64(0)},
			}, seen(r.Entries))

			base2, err := report.ReadBaseline(writeBaseline(t, w, r))
			require.NoError(t, err)
			entries, _ := base2.Compare(report.Entries("org-1", day2Findings), day3)
			assert.Equal(t, map[string][3]any{
				"u1": {"unchanged", day1, int64(0)}, // from first_seen, not base2's evaluation time
				"u3": {"unchanged", day1, int64(0)},
				"u4": {"unchanged", day2, int64(0)},
			}, seen(entries))
		})
	}
}

// A JSON baseline of a release before first_seen, or one without any
// time: it still works; the first-seen time is the baseline's evaluation,
// or unknown.
func TestFirstSeenFromAnOldBaseline(t *testing.T) {
	fp := report.Fingerprint("org-1", finding("a", "u1", evaluator.SeverityHigh))
	doc := func(inventory string) string {
		return `{"inventory": {"organization_id": "org-1"` + inventory + `}, "findings": [{"finding_type_id": "a", "title": "T a", "category": "C", "severity": "high",
			"resource": {"type": "user", "id": "u1", "name": "u1@x"}, "message": "m u1", "remediation": "r", "evidence": {}, "fingerprint": "` + fp + `"}]}`
	}
	for name, c := range map[string]struct {
		inventory string
		first     int64
	}{
		"0.1 report": {`, "evaluated_at": "2026-11-20T00:00:00Z"`, 1795132800},
		"no times":   {``, 0},
	} {
		path := filepath.Join(t.TempDir(), "old.json")
		require.NoError(t, os.WriteFile(path, []byte(doc(c.inventory)), 0o600))
		base, err := report.ReadBaseline(path)
		require.NoError(t, err, name)
		entries, sum := base.Compare(report.Entries("org-1", []evaluator.Finding{finding("a", "u1", evaluator.SeverityHigh)}), 1795651200)
		assert.Equal(t, 1, sum.Unchanged, name)
		assert.Equal(t, c.first, entries[0].FirstSeen, name)
	}
}

func TestFirstSeenErrors(t *testing.T) {
	fp := report.Fingerprint("org-1", finding("a", "u1", evaluator.SeverityHigh))
	path := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"inventory": {"organization_id": "org-1"}, "findings": [{"finding_type_id": "a", "severity": "high",
		"resource": {"type": "user", "id": "u1"}, "fingerprint": "`+fp+`", "first_seen": "yesterday"}]}`), 0o600))
	_, err := report.ReadBaseline(path)
	assert.ErrorContains(t, err, `findings[0].first_seen "yesterday" is not an RFC 3339 time`)
}
