package waiver_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openai-casb/openai-casb/evaluator"
	"github.com/openai-casb/openai-casb/inventory"
	"github.com/openai-casb/openai-casb/report"
	"github.com/openai-casb/openai-casb/waiver"
)

func TestParseErrorsNameFileLineAndField(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		field     string
		msg       string
	}{
		{"empty", "", 1, "", "empty"},
		{"not yaml", "waivers:\n  - category: C\n    resource: r: s\n", 3, "", "not valid YAML: mapping values are not allowed in this context"},
		{"not a mapping", "- a\n", 1, "", "want a mapping"},
		{"no waivers", "max_days: 10\n", 1, "waivers", "missing"},
		{"unknown top-level", "waiver: []\n", 1, "waiver", "unknown field"},
		{"bad max_days", "max_days: soon\nwaivers: []\n", 1, "max_days", "whole number"},
		{"zero max_days", "max_days: 0\nwaivers: []\n", 1, "max_days", "at least 1"},
		{"waivers not a list", "waivers: {a: 1}\n", 1, "waivers", "want a list"},
		{"item not a mapping", "waivers:\n  - just a string\n", 2, "waivers[0]", "want a mapping"},
		{"unknown field", "waivers:\n  - category: C\n    resource: r\n    reason: x\n    expires: 2027-01-01\n    expiry: 2027-01-01\n", 6, "waivers[0].expiry", "unknown field"},
		{"no selector", "waivers:\n  - resource: r\n    reason: x\n    expires: 2027-01-01\n", 2, "waivers[0].finding_type_id", "finding_type_id or a category"},
		{"both selectors", "waivers:\n  - category: C\n    finding_type_id: f\n    resource: r\n    reason: x\n    expires: 2027-01-01\n", 2, "waivers[0]", "not both"},
		{"no resource", "waivers:\n  - category: C\n    reason: x\n    expires: 2027-01-01\n", 2, "waivers[0].resource", "missing"},
		{"no reason", "waivers:\n  - category: C\n    resource: r\n    expires: 2027-01-01\n", 2, "waivers[0].reason", "missing"},
		{"empty reason", "waivers:\n  - category: C\n    resource: r\n    reason: \"\"\n    expires: 2027-01-01\n", 4, "waivers[0].reason", "empty"},
		{"no expires", "waivers:\n  - category: C\n    resource: r\n    reason: x\n", 2, "waivers[0].expires", "missing"},
		{"bad date", "waivers:\n  - category: C\n    resource: r\n    reason: x\n    expires: next year\n", 5, "waivers[0].expires", "want a date such as 2027-03-01"},
		{"second waiver", "waivers:\n  - category: C\n    resource: r\n    reason: x\n    expires: 2027-01-01\n  - category: C\n    resource: [a, b]\n", 7, "waivers[1].resource", "single value"},
		{"twice", "waivers:\n  - category: C\n    category: D\n", 3, "waivers[0].category", "given twice (also on line 2)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := waiver.Parse("w.yaml", []byte(c.src))
			require.Error(t, err)
			var we *waiver.Error
			require.True(t, errors.As(err, &we), "%v", err)
			assert.Equal(t, "w.yaml", we.File)
			assert.Equal(t, c.line, we.Line, err.Error())
			assert.Equal(t, c.field, we.Field, err.Error())
			assert.Contains(t, err.Error(), c.msg)
		})
	}
}

func TestLoad(t *testing.T) {
	_, err := waiver.Load(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorContains(t, err, "read waivers:")

	path := filepath.Join(t.TempDir(), "w.yaml")
	require.NoError(t, os.WriteFile(path, []byte("max_days: 30\nwaivers:\n  - category: C\n    resource: r\n    reason: x\n    expires: 2027-01-01\n"), 0o600))
	f, err := waiver.Load(path)
	require.NoError(t, err)
	assert.Equal(t, 30, f.MaxDays)
	require.Len(t, f.Waivers, 1)
	assert.Equal(t, 3, f.Waivers[0].Line)
	assert.Equal(t, path, f.Waivers[0].File)

	f, err = waiver.Parse("w.yaml", []byte("waivers:\n"))
	require.NoError(t, err, "an empty list is a file with no waivers")
	assert.Empty(t, f.Waivers)
	assert.Equal(t, waiver.DefaultMaxDays, f.MaxDays)
}

func entry(typ, category, rtype, id, name string) report.Entry {
	return report.Entry{Finding: evaluator.Finding{FindingTypeID: typ, Title: "T " + typ, Category: category, Severity: evaluator.SeverityHigh,
		Resource: evaluator.Resource{Type: rtype, ID: id, Name: name}, Message: "m"}}
}

func parse(t *testing.T, src string) *waiver.File {
	t.Helper()
	f, err := waiver.Parse("w.yaml", []byte(src))
	require.NoError(t, err)
	return f
}

func TestMatches(t *testing.T) {
	e := entry("b72e971d", "API key hygiene", "admin_api_key", "key_admin_old", "terraform-admin")
	cases := []struct {
		name, selector string
		org            string
		want           bool
	}{
		{"id", "finding_type_id: b72e971d\n    resource: key_admin_old", "", true},
		{"id in another case", "finding_type_id: B72E971D\n    resource: key_admin_old", "", true},
		{"other finding type", "finding_type_id: other\n    resource: key_admin_old", "", false},
		{"category", "category: api key hygiene\n    resource: key_admin_old", "", true},
		{"other category", "category: Access security\n    resource: key_admin_old", "", false},
		{"glob over the id", "category: API key hygiene\n    resource: key_admin_*", "", true},
		{"glob over the name", "category: API key hygiene\n    resource: terraform*", "", true},
		{"exact name", "category: API key hygiene\n    resource: terraform-admin", "", true},
		{"question mark", "category: API key hygiene\n    resource: key_admin_ol?", "", true},
		{"a glob is anchored", "category: API key hygiene\n    resource: admin*", "", false},
		{"dots are literal", "category: API key hygiene\n    resource: key.admin.old", "", false},
		{"every resource", "category: API key hygiene\n    resource: \"*\"", "", true},
		{"type", "category: API key hygiene\n    resource: \"*\"\n    type: admin_api_key", "", true},
		{"other type", "category: API key hygiene\n    resource: \"*\"\n    type: project_api_key", "", false},
		{"organization", "category: API key hygiene\n    resource: \"*\"\n    organization_id: org-1", "org-1", true},
		{"other organization", "category: API key hygiene\n    resource: \"*\"\n    organization_id: org-2", "org-1", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := parse(t, "waivers:\n  - "+c.selector+"\n    reason: x\n    expires: 2027-01-01\n")
			assert.Equal(t, c.want, f.Waivers[0].Matches(c.org, &e))
		})
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A waiver applies up to the last second before its expires date (UTC).
func TestExpiryBoundary(t *testing.T) {
	w := parse(t, "waivers:\n  - category: C\n    resource: r\n    reason: x\n    expires: 2027-03-01\n").Waivers[0]
	assert.False(t, w.Expired(day("2027-02-28T23:59:59Z")))
	assert.True(t, w.Expired(day("2027-03-01T00:00:00Z")))
}

func TestMaxDays(t *testing.T) {
	f := parse(t, "max_days: 30\nwaivers:\n  - category: C\n    resource: r\n    reason: x\n    expires: 2027-01-31\n")
	assert.NoError(t, f.Check(day("2027-01-01T12:00:00Z")), "exactly 30 days ahead")
	err := f.Check(day("2026-12-31T12:00:00Z"))
	var we *waiver.Error
	require.True(t, errors.As(err, &we), "%v", err)
	assert.Equal(t, 6, we.Line)
	assert.Equal(t, "waivers[0].expires", we.Field)
	assert.Contains(t, err.Error(), "w.yaml:6: waivers[0].expires: 2027-01-31 is more than max_days (30) after the evaluation date 2026-12-31")

	f = parse(t, "waivers:\n  - category: C\n    resource: r\n    reason: x\n    expires: 2027-12-01\n")
	assert.NoError(t, f.Check(day("2026-12-01T00:00:00Z")), "365 days by default")
	assert.Error(t, f.Check(day("2026-11-30T00:00:00Z")))
}

const sample = `waivers:
  - finding_type_id: a
    resource: key_*
    reason: Rotation scheduled (TICKET-123)
    owner: secops@example.com
    expires: 2027-03-01
  - finding_type_id: a
    resource: key_two
    reason: A second waiver of one finding
    expires: 2027-02-01
  - category: C
    resource: user-old
    reason: Expired
    expires: 2026-11-01
  - category: C
    resource: nobody
    reason: Unused
    expires: 2027-01-01
`

func sampleReport() *report.Report {
	return &report.Report{
		Inventory:   evaluator.Header{Organization: inventoryOrg("org-1")},
		EvaluatedAt: day("2026-11-26T00:00:00Z").Unix(),
		Entries: report.Entries("org-1", []evaluator.Finding{
			entry("a", "C", "admin_api_key", "key_one", "").Finding,
			entry("a", "C", "admin_api_key", "key_two", "").Finding,
			entry("b", "C", "user", "user-old", "").Finding,
			entry("b", "C", "user", "user-new", "").Finding,
		}),
		Catalog: []evaluator.FindingType{{ID: "a"}, {ID: "b"}},
	}
}

func TestApply(t *testing.T) {
	for _, strict := range []bool{false, true} {
		r := sampleReport()
		require.NoError(t, parse(t, sample).Apply(r, strict))
		waived := map[string]*report.Waiver{}
		var about []string
		for _, e := range r.Entries {
			if e.Waived() {
				waived[e.Resource.ID] = e.Waiver
			}
			if e.Resource.Type == waiver.WaiverResourceType {
				about = append(about, e.Title+" "+e.Resource.Name+": "+e.Message)
				assert.Equal(t, evaluator.SeverityLow, e.Severity)
				assert.Len(t, e.Fingerprint, 64)
			}
		}
		require.Len(t, waived, 2, "the expired waiver waives nothing")
		assert.Equal(t, 2, waived["key_one"].Line, "the first waiver that matches waives")
		assert.Equal(t, 2, waived["key_two"].Line)
		assert.Equal(t, "Rotation scheduled (TICKET-123)", waived["key_two"].Reason)
		assert.Equal(t, 2, waived["key_two"].Matched)

		assert.Equal(t, 2, r.Waivers.Applied)
		require.Len(t, r.Waivers.Expired, 1)
		assert.Equal(t, 11, r.Waivers.Expired[0].Line)
		assert.Equal(t, 1, r.Waivers.Expired[0].Matched)
		require.Len(t, r.Waivers.Unused, 1, "a waiver matching a finding another waived is used")
		assert.Equal(t, 15, r.Waivers.Unused[0].Line)

		want := []string{"openai-casb: Expired waiver w.yaml:11: Waiver w.yaml:11 expired on 2026-11-01; the 1 finding(s) it selects are open again"}
		wantCatalog := []string{"a", "b", waiver.ExpiredType.ID}
		if strict {
			want = append(want, "openai-casb: Unused waiver w.yaml:15: Waiver w.yaml:15 selects no finding")
			wantCatalog = append(wantCatalog, waiver.UnusedType.ID)
		}
		assert.Equal(t, want, about, "strict=%v", strict)
		var catalog []string
		for _, ft := range r.Catalog {
			catalog = append(catalog, ft.ID)
		}
		assert.Equal(t, wantCatalog, catalog)
	}
}

func TestApplyChecksMaxDaysAgainstTheEvaluationDate(t *testing.T) {
	r := sampleReport()
	r.EvaluatedAt = day("2025-01-01T00:00:00Z").Unix()
	err := parse(t, sample).Apply(r, false)
	assert.ErrorContains(t, err, "w.yaml:6: waivers[0].expires: 2027-03-01 is more than max_days (365)")
}

func TestAbsentFindingsAreNotWaived(t *testing.T) {
	r := sampleReport()
	for i := range r.Entries {
		r.Entries[i].State = report.StateAbsent
	}
	require.NoError(t, parse(t, sample).Apply(r, false))
	assert.Equal(t, 0, r.Waivers.Applied)
	assert.Len(t, r.Waivers.Unused, 3)
}

func inventoryOrg(id string) inventory.Organization { return inventory.Organization{ID: id} }
